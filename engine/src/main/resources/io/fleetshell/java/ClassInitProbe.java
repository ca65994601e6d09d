import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Initializes the classes named on the command line, in order, in this fresh JVM and prints one line
 * per class: its binary name, the wall time of its initialization in milliseconds and how much the
 * resident set grew meanwhile, in KiB, separated by tabs. fleetshell's Java profiler runs it on an
 * agent rewritten with every possible holder, after the agent's own class, so that each holder's line
 * is what that one field costs at class initialization. A failure prints {@code !} and the error.
 */
public final class ClassInitProbe {

    public static void main(String[] args) {
        ClassLoader loader = ClassInitProbe.class.getClassLoader();
        for (String name : args) {
            long rss = residentKb();
            long started = System.nanoTime();
            try {
                Class.forName(name, true, loader);
            } catch (Throwable e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                System.out.println("!\t" + name + "\t" + cause);
                System.exit(1);
            }
            double millis = (System.nanoTime() - started) / 1e6;
            System.out.println(name + "\t" + millis + "\t" + Math.max(0, residentKb() - rss));
        }
    }

    private static long residentKb() {
        try {
            return Long.parseLong(Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+")[1]) * 4;
        } catch (Exception e) {
            return 0;
        }
    }
}
