package io.fleetshell.engine.java;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.inventory.Agent;
import io.fleetshell.engine.inventory.Machine;
import io.fleetshell.engine.process.CannotStartException;
import io.fleetshell.engine.process.Leftovers;
import io.fleetshell.engine.process.ProcessResult;
import io.fleetshell.engine.process.ProcessRun;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Where a Java agent's builds run: its machine's {@link Host} (this computer, or a remote one over ssh). The classes
 * are compiled on this computer (javac in this JVM, {@link JavaBuildCache}) and shipped to the host's temporary
 * directory in one operation, a tar stream on the stdin of {@code tar -x} there; the JVMs that time them start there
 * with the machine's {@code java}, which is checked once (it starts, and is Java {@value #OLDEST} or newer), on ports
 * found free there. The classes are built for that java's release ({@code javac --release N}) when it is older than the
 * JDK fleetshell runs on, so a machine with Java 17 or 21 runs them. What a build ships is removed afterwards, also on an interrupt; its name carries
 * this process's mark, so what a killed fleetshell left is removed by the next build on that host and by
 * {@code deploy recover} ({@link Leftovers#sweep(Leftovers.Place, Path, java.util.Collection)}).
 */
public final class JavaSite {

    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(60);
    /** The release javac builds for when no {@code --release} is given: that of the JDK fleetshell runs on. */
    public static final int RELEASE = Runtime.version().feature();
    /**
     * The oldest machine java fleetshell builds for: {@code ClassInitProbe}, which it ships, needs Java 11
     * ({@code Files.readString}, {@code Path.of}), and javac 25 calls release 8 obsolete, to be removed.
     */
    public static final int OLDEST = 11;

    private final Host host;
    private final Machine machine;
    private final String python;
    private final Map<String, Java> checked = new ConcurrentHashMap<>();
    private volatile boolean swept;

    /**
     * @param host    the machine's host
     * @param machine the machine (its fleet root, environment and name, for messages)
     * @param python  the interpreter on the host that starts the JVMs on ports free there (the machine's, resolved)
     */
    public JavaSite(Host host, Machine machine, String python) {
        this.host = host;
        this.machine = machine;
        this.python = python;
    }

    public Host host() {
        return host;
    }

    public Machine machine() {
        return machine;
    }

    /**
     * A machine's {@code java} as checked there.
     *
     * @param launcher the command that starts it on the host
     * @param release  its {@code java.specification.version}'s feature release ({@code 17}; {@code 8} for {@code 1.8})
     */
    public record Java(String launcher, int release) {

        /** The release javac builds the agent's classes for: the machine's, or that of fleetshell's JDK when the machine's is newer. */
        public int buildRelease() {
            return Math.min(release, RELEASE);
        }

        /** {@code java 17}: what a measurement names as the runtime it was taken with. */
        public String label() {
            return "java " + release;
        }
    }

    /**
     * The agent's {@code java} on the host, checked once per launcher: it starts there from the fleet root with the
     * machine's environment, and its release is {@value #OLDEST} or newer.
     *
     * @throws FleetshellException BAD_INPUT naming the machine, the launcher and the setting to fix, when it is not
     */
    public Java java(Agent agent) {
        String launcher = agent.java().launcher();
        Java java = checked.get(launcher);
        if (java == null) {
            java = new Java(launcher, check(agent, launcher));
            checked.put(launcher, java);
        }
        return java;
    }

    /** The agent's {@code java} as {@link #java} found it on this site, if it was asked. */
    public java.util.Optional<Java> asked(Agent agent) {
        return java.util.Optional.ofNullable(checked.get(agent.java().launcher()));
    }

    /**
     * What to add to javac's errors of a build for {@code java}: when it was built for a release older than fleetshell's
     * JDK, that release, the machine and the setting that picks a newer java there; empty otherwise. It does not say
     * whether anything was changed: a proof's caller knows that, a profile changes nothing.
     */
    public String olderReleaseNote(Agent agent, Java java) {
        if (java.buildRelease() >= RELEASE) {
            return "";
        }
        return (". javac built it for Java %d (--release %d), the release of java '%s' of machine %s (%s): a language feature or API "
                + "newer than Java %d needs a newer java there: set machines.%s.java: in FLEETSHELL_HOME/settings.yaml (or java: of %s in %s:%d)")
                .formatted(java.buildRelease(), java.buildRelease(), java.launcher(), machine.name(), host.describe(), java.buildRelease(),
                        machine.name(), agent.name(), agent.configFile(), agent.configLine());
    }

    /** The launcher's release, once it is known to start and to be {@value #OLDEST} or newer. */
    private int check(Agent agent, String launcher) {
        String setting = "set machines.%s.java: in FLEETSHELL_HOME/settings.yaml (or java: of %s in %s:%d) to a Java %d or newer on that machine"
                .formatted(machine.name(), agent.name(), agent.configFile(), agent.configLine(), OLDEST);
        ProcessResult result;
        try {
            result = host.run(ProcessRun.of(launcher, "-XshowSettings:properties", "-version").in(machine.fleetRoot())
                    .environment(machine.environment()).mergingErrors().timeout(ASK_TIMEOUT));
        } catch (CannotStartException e) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "java '%s' of machine %s (%s) does not start there: %s. %s; nothing was changed"
                    .formatted(launcher, machine.name(), host.describe(), e.getMessage(), setting));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "interrupted while asking machine %s for its java; nothing was changed"
                    .formatted(machine.name()));
        }
        String home = property(result.stdout(), "java.home");
        String version = property(result.stdout(), "java.specification.version");
        if (result.timedOut() || result.exitStatus() != 0 || version == null) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, "java '%s' of machine %s (%s) does not run there (status %d: %s). %s; nothing was changed"
                    .formatted(launcher, machine.name(), host.describe(), result.exitStatus(), result.tail(300).strip(), setting));
        }
        int release = release(version);
        if (release < OLDEST) {
            throw new FleetshellException(ErrorCode.BAD_INPUT, ("java '%s' of machine %s (%s) is Java %s (%s), older than Java %d, the oldest "
                    + "release fleetshell builds the agent's classes for. %s; nothing was changed")
                    .formatted(launcher, machine.name(), host.describe(), version, home, OLDEST, setting));
        }
        return release;
    }

    private static String property(String output, String name) {
        for (String line : output.lines().toList()) {
            String t = line.strip();
            if (t.startsWith(name + " = ")) {
                return t.substring(name.length() + 3).strip();
            }
        }
        return null;
    }

    /** {@code 25}, or {@code 8} for {@code 1.8}. */
    private static int release(String specification) {
        String[] parts = specification.split("\\.");
        try {
            return Integer.parseInt(parts[0].equals("1") && parts.length > 1 ? parts[1] : parts[0]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The machine's interpreter on the host (resolved), which starts each JVM there on ports it finds free. */
    public String python() {
        return python;
    }

    /**
     * Ships local directories (builds' classes, a rewritten source) to a new directory in the host's temporary directory,
     * {@code fleetshell-KIND-pPID-XXXXXXXX/NAME} for each entry of {@code trees}, in one {@code tar -x} there; first
     * removes what fleetshell processes that are gone left there (once per site). Returns the new directory;
     * {@link #remove} it when done.
     *
     * @throws FleetshellException naming the machine when the host cannot take them
     */
    public Path ship(String kind, Map<String, Path> trees) {
        Path directory;
        try {
            Path temporary = host.temporaryDirectory();
            if (!swept) {
                Leftovers.sweep(new Leftovers.Place() {
                    @Override
                    public List<String> list(Path d) throws IOException {
                        return host.list(d);
                    }

                    @Override
                    public boolean deleteTree(Path path) throws IOException {
                        return host.deleteTree(path);
                    }
                }, temporary, List.of());
                swept = true;
            }
            String name = "fleetshell-" + kind + Leftovers.mark() + UUID.randomUUID().toString().substring(0, 8);
            directory = temporary.resolve(name);
            byte[] tar = tar(name, trees);
            ProcessResult result = host.run(ProcessRun.of("tar", "-x", "-f", "-", "-C", temporary.toString()).stdin(tar)
                    .mergingErrors().timeout(ASK_TIMEOUT));
            if (!result.ok()) {
                remove(directory);
                throw new IOException("tar -x in %s failed (status %d): %s".formatted(temporary, result.exitStatus(), result.tail(400).strip()));
            }
        } catch (IOException e) {
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot ship the Java build to machine %s (%s): %s; nothing was changed"
                    .formatted(machine.name(), host.describe(), e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetshellException(ErrorCode.OPERATION_FAILED, "interrupted while shipping the Java build to machine %s; nothing was changed"
                    .formatted(machine.name()));
        }
        return directory;
    }

    /** Deletes what {@link #ship} made ({@link Host#deleteOwnQuietly}: also while interrupted, quietly). */
    public void remove(Path shipped) {
        host.deleteOwnQuietly(shipped);
    }

    /**
     * The class path on the host of a build shipped as {@code classes}: those classes, then the agent's own entries,
     * which are the host's files under its fleet root.
     */
    public String classpath(Agent agent, Path classes) {
        List<String> entries = new ArrayList<>(List.of(classes.toString()));
        agent.java().classpath().forEach(entry -> entries.add(machine.fleetRoot().resolve(entry).normalize().toString()));
        return String.join(":", entries);
    }

    /** A POSIX tar (ustar, pax headers for long paths) of each tree under {@code top/NAME}: directories and regular files, sorted. */
    static byte[] tar(String top, Map<String, Path> trees) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        entry(out, top + "/", null);
        for (Map.Entry<String, Path> tree : trees.entrySet()) {
            Path root = tree.getValue();
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.sorted().toList()) {
                    String relative = root.relativize(file).toString();
                    String name = top + "/" + tree.getKey() + (relative.isEmpty() ? "" : "/" + relative);
                    if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                        entry(out, name + "/", null);
                    } else if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                        entry(out, name, Files.readAllBytes(file));
                    }
                }
            }
        }
        out.write(new byte[1024]);
        return out.toByteArray();
    }

    /** A directory ({@code content} null) or a regular file; a path longer than ustar holds goes in a pax header before it. */
    private static void entry(ByteArrayOutputStream out, String name, byte[] content) {
        char type = content == null ? '5' : '0';
        int mode = content == null ? 0700 : 0600;
        if (!header(out, name, type, mode, content)) {
            String record = " path=" + name + "\n";
            int length = record.getBytes(StandardCharsets.UTF_8).length;
            int total = length + String.valueOf(length).length();
            total = length + String.valueOf(total).length(); // the record's length counts its own digits
            header(out, "PaxHeader", 'x', 0600, (total + record).getBytes(StandardCharsets.UTF_8));
            header(out, "long-name", type, mode, content);
        }
    }

    /** Writes a ustar header and the content; false (nothing written) when the name does not fit in one. */
    private static boolean header(ByteArrayOutputStream out, String name, char type, int mode, byte[] content) {
        byte[] header = new byte[512];
        byte[] path = name.getBytes(StandardCharsets.UTF_8);
        if (path.length <= 100) {
            System.arraycopy(path, 0, header, 0, path.length);
        } else {
            // ustar splits a long name at a slash: up to 155 bytes of prefix, up to 100 of name
            int split = name.lastIndexOf('/', Math.min(name.length() - 1, 155));
            if (split <= 0) {
                return false;
            }
            byte[] prefix = name.substring(0, split).getBytes(StandardCharsets.UTF_8);
            byte[] rest = name.substring(split + 1).getBytes(StandardCharsets.UTF_8);
            if (prefix.length > 155 || rest.length > 100) {
                return false;
            }
            System.arraycopy(rest, 0, header, 0, rest.length);
            System.arraycopy(prefix, 0, header, 345, prefix.length);
        }
        octal(header, 100, 8, mode);
        octal(header, 108, 8, 0);
        octal(header, 116, 8, 0);
        octal(header, 124, 12, content == null ? 0 : content.length);
        octal(header, 136, 12, System.currentTimeMillis() / 1000);
        header[156] = (byte) type;
        System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, header, 257, 8);
        java.util.Arrays.fill(header, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        octal(header, 148, 7, sum);
        out.writeBytes(header);
        if (content != null) {
            out.writeBytes(content);
            out.writeBytes(new byte[(512 - content.length % 512) % 512]);
        }
        return true;
    }

    private static void octal(byte[] header, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        String padded = "0".repeat(Math.max(0, length - 1 - digits.length())) + digits;
        byte[] bytes = padded.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
        header[offset + length - 1] = 0;
    }

    @Override
    public String toString() {
        return host.describe();
    }
}
