package io.fleetshell.engine.process;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a fleetshell process killed with {@code kill -9} (or by a full disk) leaves behind, and its removal. Every child
 * process group is recorded, while it runs, as a file under {@code FLEETSHELL_HOME/run/children} naming its group,
 * its leader's start time and the fleetshell process that owns it; every temporary file and hidden proof sibling
 * fleetshell makes carries its owner's pid in its name ({@code -pPID-}). {@link #sweep} kills the groups and removes
 * the files whose owner is gone, and never touches those of a fleetshell that still runs: the next start and
 * {@code deploy recover} call it. A group is signalled only while it provably is the one recorded: its leader has the
 * recorded start time, or, the leader gone, the group still exists (Linux does not reuse the id of a live group).
 *
 * <p>The registry is per JVM ({@link #recordIn}), as the process tree is: the shell names its home's directory once
 * at start; engine code that starts children needs no handle on it, and without it nothing is recorded (tests).
 */
public final class Leftovers {

    /** What a sweep did: groups killed and files removed, each in words. */
    public record Swept(List<String> killed, List<Path> removed) {

        public Swept {
            killed = List.copyOf(killed);
            removed = List.copyOf(removed);
        }

        public boolean isEmpty() {
            return killed.isEmpty() && removed.isEmpty();
        }

        /**
         * One sentence for the user at start, or null: the groups killed and the files removed beside scripts (the
         * temporary directory's files are housekeeping, listed by {@code deploy recover}).
         */
        public String startNote() {
            List<Path> inFleet = removed.stream().filter(p -> isHiddenSibling(p.getFileName().toString())).toList();
            return killed.isEmpty() && inFleet.isEmpty() ? null : new Swept(killed, inFleet).summary();
        }

        /** One sentence for the user, or null when there was nothing. */
        public String summary() {
            if (isEmpty()) {
                return null;
            }
            List<String> parts = new ArrayList<>();
            if (!killed.isEmpty()) {
                parts.add("killed %d process group%s (%s)".formatted(killed.size(), killed.size() == 1 ? "" : "s", String.join("; ", killed)));
            }
            if (!removed.isEmpty()) {
                parts.add("removed %d temporary file%s (%s)".formatted(removed.size(), removed.size() == 1 ? "" : "s",
                        String.join(", ", removed.stream().map(Path::toString).toList())));
            }
            return "left by a fleetshell process that was killed: " + String.join("; ", parts);
        }
    }

    /**
     * Unmarked files (made by an older fleetshell, whose owner cannot be told) are left this long before they count as
     * leftovers: longer than any run of a live one.
     */
    static final Duration UNMARKED_AGE = Duration.ofHours(24);
    static final String TEMP_PREFIX = "fleetshell-";
    /**
     * The temporary files and directories fleetshell makes in the temp directory, by kind (the brief names of
     * {@link #newTempFile}); nothing else there is touched, whatever its name.
     */
    private static final Pattern TEMP_KINDS = Pattern.compile("^fleetshell-(load-probe|probe|java-start|java-proof|java-profile"
            + "|written-java|proof-check|proof-fleet|python|optimize|agent-run|counts|env-probe).*");
    /** {@code .NAME.fleetshell-...}: a name before the mark, so a marker such as {@code .fleetshell-demo} is not one. */
    private static final Pattern HIDDEN_SIBLING = Pattern.compile("^\\.[^/]+\\.fleetshell-.+");
    private static final Pattern OWNER = Pattern.compile("-p(\\d+)-");
    private static final long SELF = ProcessHandle.current().pid();
    private static final String MARK = "-p" + SELF + "-";
    /** Built on the first record written or read: every shell start sweeps, and usually finds no record. */
    private static final class Records {
        static final JsonMapper JSON = JsonMapper.builder().build();
    }

    private static volatile Path registry;

    private Leftovers() {
    }

    /** Records this JVM's child process groups under {@code directory} from now on (the shell: {@code run/children}). */
    public static void recordIn(Path directory) {
        Path normal = directory == null ? null : directory.toAbsolutePath().normalize();
        if (normal != null) {
            try {
                Files.createDirectories(normal);
            } catch (IOException e) {
                normal = null; // an unwritable home: children still run and die with this process, unrecorded
            }
        }
        registry = normal;
    }

    /** A temporary file in the temp directory whose name says this process owns it ({@code fleetshell-NAME-pPID-...}). */
    public static Path newTempFile(String name, String suffix) throws IOException {
        return Files.createTempFile(TEMP_PREFIX + name + MARK, suffix);
    }

    /** A temporary directory whose name says this process owns it. */
    public static Path newTempDirectory(String name) throws IOException {
        return Files.createTempDirectory(TEMP_PREFIX + name + MARK);
    }

    /** The owner mark to put in a hidden sibling's name ({@code .X.fleetshell-proof-pPID-...}). */
    public static String mark() {
        return MARK;
    }

    /** Whether a file name is one of fleetshell's own working files beside a script (hidden, {@code .fleetshell-} in it). */
    public static boolean isHiddenSibling(String fileName) {
        return HIDDEN_SIBLING.matcher(fileName).matches();
    }

    /** Whether the process named in a marked file name still runs (an unmarked name: whether the file is recent). */
    public static boolean ownerAlive(Path file) {
        Matcher owner = OWNER.matcher(file.getFileName().toString());
        if (owner.find()) {
            long pid = Long.parseLong(owner.group(1));
            return pid == SELF || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
        try {
            return Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toInstant().isAfter(Instant.now().minus(UNMARKED_AGE));
        } catch (IOException e) {
            return true; // gone already, or unreadable: not ours to remove
        }
    }

    static void started(Process process, boolean ownGroup, List<String> command, List<Path> owned) {
        Path directory = registry;
        if (directory == null) {
            return;
        }
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("pgid", process.pid());
        record.put("group", ownGroup);
        record.put("leader_start", process.info().startInstant().map(Instant::toString).orElse(null));
        record.put("owner_pid", SELF);
        record.put("owner_start", ProcessHandle.current().info().startInstant().map(Instant::toString).orElse(null));
        record.put("command", command.stream().limit(6).toList());
        record.put("owned", owned.stream().map(Path::toString).toList());
        try {
            // never re-created: a home deleted meanwhile (a test's) gets no record
            if (!Files.isDirectory(directory)) {
                return;
            }
            Path file = directory.resolve(process.pid() + ".json");
            Path partial = directory.resolve("." + process.pid() + ".json" + MARK + "tmp");
            Files.write(partial, Records.JSON.writeValueAsBytes(record));
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            // a full home: the child still runs and is still killed on exit; only a kill -9 would leave it unswept
        }
    }

    static void ended(Process process) {
        Path directory = registry;
        if (directory != null) {
            try {
                Files.deleteIfExists(directory.resolve(process.pid() + ".json"));
            } catch (IOException ignored) {
                // the next sweep finds the group gone and removes the record
            }
        }
    }

    /**
     * Kills the recorded child groups whose owner is gone and removes their owned files, then removes fleetshell's
     * temporary files in {@code tempDirectory} and its hidden siblings in {@code fleetDirectories} whose owner is gone.
     *
     * @param children         the registry ({@code run/children})
     * @param tempDirectory    where temporary files go ({@code java.io.tmpdir})
     * @param fleetDirectories the directories of the agents' scripts
     */
    public static Swept sweep(Path children, Path tempDirectory, Collection<Path> fleetDirectories) {
        List<String> killed = new ArrayList<>();
        List<Path> removed = new ArrayList<>();
        for (Path record : list(children, name -> name.endsWith(".json") && !name.startsWith("."))) {
            sweepGroup(record, killed, removed);
        }
        for (Path file : list(tempDirectory, name -> TEMP_KINDS.matcher(name).matches())) {
            if (!ownerAlive(file) && delete(file)) {
                removed.add(file);
            }
        }
        for (Path directory : fleetDirectories.stream().distinct().toList()) {
            for (Path file : list(directory, Leftovers::isHiddenSibling)) {
                if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(file)) {
                    if (!ownerAlive(file) && delete(file)) {
                        removed.add(file);
                    }
                }
            }
        }
        return new Swept(killed, removed);
    }

    /**
     * The file operations of the machine a sweep looks at: a {@code Host}'s (this computer, or a remote machine over
     * ssh), passed as two method references so that this package stays below the hosts.
     */
    public interface Place {
        /** The names in a directory; empty when it does not exist. */
        List<String> list(Path directory) throws IOException;

        /** Deletes a file or a directory tree, not following links; false when nothing was there. */
        boolean deleteTree(Path path) throws IOException;
    }

    /**
     * Removes, on {@code place}, the hidden siblings of {@code file} (a proof's copies of it) whose owner is gone: what a
     * fleetshell killed during a proof left beside the script. Returns what it removed; a failure to list or delete
     * leaves the file for the next sweep.
     */
    public static List<Path> sweepSiblings(Place place, Path file) {
        String prefix = "." + file.getFileName() + ".fleetshell-";
        return sweepOn(place, file.toAbsolutePath().getParent(), name -> name.startsWith(prefix) && isHiddenSibling(name));
    }

    /**
     * Removes, on {@code place}, what fleetshell processes that are gone left there: its temporary files and directories
     * in {@code temporaryDirectory} and the hidden siblings in {@code fleetDirectories} (as {@link #sweep} does here).
     */
    public static List<Path> sweep(Place place, Path temporaryDirectory, Collection<Path> fleetDirectories) {
        List<Path> removed = new ArrayList<>(sweepOn(place, temporaryDirectory, name -> TEMP_KINDS.matcher(name).matches()));
        for (Path directory : fleetDirectories.stream().distinct().toList()) {
            removed.addAll(sweepOn(place, directory, Leftovers::isHiddenSibling));
        }
        return removed;
    }

    private static List<Path> sweepOn(Place place, Path directory, java.util.function.Predicate<String> names) {
        List<Path> removed = new ArrayList<>();
        try {
            for (String name : place.list(directory)) {
                Path file = directory.resolve(name);
                // an unmarked name's age cannot be told there: only marked files (whose owner is a pid here) go
                if (names.test(name) && OWNER.matcher(name).find() && !ownerAlive(file) && place.deleteTree(file)) {
                    removed.add(file);
                }
            }
        } catch (IOException e) {
            // unreachable or unreadable now: the next sweep tries again
        }
        return removed;
    }

    private static void sweepGroup(Path recordFile, List<String> killed, List<Path> removed) {
        JsonNode record;
        try {
            record = Records.JSON.readTree(Files.readAllBytes(recordFile));
        } catch (IOException | RuntimeException e) {
            delete(recordFile); // half written by a process killed while writing it: its group is unknown
            return;
        }
        long owner = record.path("owner_pid").asLong();
        Optional<Instant> ownerStart = instant(record.path("owner_start"));
        Optional<ProcessHandle> ownerProcess = ProcessHandle.of(owner).filter(ProcessHandle::isAlive);
        if (ownerProcess.isPresent() && (ownerStart.isEmpty() || ownerProcess.get().info().startInstant().equals(ownerStart))) {
            return; // its fleetshell still runs
        }
        long pgid = record.path("pgid").asLong();
        boolean group = record.path("group").asBoolean();
        Optional<Instant> leaderStart = instant(record.path("leader_start"));
        Optional<ProcessHandle> leader = ProcessHandle.of(pgid).filter(ProcessHandle::isAlive);
        boolean sameLeader = leader.isPresent() && (leaderStart.isEmpty() || leader.get().info().startInstant().equals(leaderStart));
        String command = String.join(" ", record.path("command").valueStream().map(JsonNode::asString).toList());
        if (group && (sameLeader || (leader.isEmpty() && signal("-0", pgid)))) {
            if (signal("-KILL", pgid)) {
                killed.add("group %d: %s (owner pid %d)".formatted(pgid, command, owner));
            }
        } else if (!group && sameLeader) {
            leader.get().descendants().forEach(ProcessHandle::destroyForcibly);
            leader.get().destroyForcibly();
            killed.add("pid %d: %s (owner pid %d)".formatted(pgid, command, owner));
        }
        for (JsonNode path : record.path("owned")) {
            Path file = Path.of(path.asString());
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && deleteTree(file)) {
                removed.add(file);
            }
        }
        delete(recordFile);
    }

    /** {@code kill SIGNAL -- -PGID}; true when it succeeded (for {@code -0}: the group exists). */
    private static boolean signal(String signal, long pgid) {
        if (ProcessRun.KILL.isEmpty()) {
            return false;
        }
        try {
            // not through ProcessRun: a signal must not register a child of its own while sweeping
            Process kill = new ProcessBuilder(ProcessRun.KILL.get().toString(), signal, "--", "-" + pgid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return kill.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Optional<Instant> instant(JsonNode node) {
        try {
            return node.isString() ? Optional.of(Instant.parse(node.asString())) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static List<Path> list(Path directory, java.util.function.Predicate<String> names) {
        if (directory == null || !Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(p -> names.test(p.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Deletes a temporary file or directory tree this process made (children first, never following a link), quietly:
     * false when something stayed, which the sweep at the next start removes.
     */
    public static boolean delete(Path file) {
        return Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS) ? deleteTree(file) : deleteFile(file);
    }

    private static boolean deleteFile(Path file) {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
