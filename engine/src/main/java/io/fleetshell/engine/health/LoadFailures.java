package io.fleetshell.engine.health;

import io.fleetshell.engine.profile.AgentProfile;
import io.fleetshell.engine.profile.LoadSample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The fleet's load health as a whole, as {@code profile} ends with it: the agents that failed to load, grouped by
 * cause, each group with the fix. The causes are those real fleets show: a syntax error in the agent's own file or in
 * a shared module it imports, a package not installed (with the distribution to install), a module of the fleet's
 * own code that is not on {@code sys.path} (a repository path problem), a missing system library, a network or
 * daemon connection made while the module loads, a relative import in a file run as a script, a load that timed
 * out, and anything else with its error.
 */
public final class LoadFailures {

    /** The causes, in the order the summary lists them. */
    public enum Cause {
        SYNTAX_IN_AGENT("syntax error in the agent's file"),
        SYNTAX_IN_SHARED_MODULE("syntax error in a shared module it imports"),
        MISSING_PACKAGE("package not installed"),
        REPOSITORY_PATH("fleet module not on sys.path"),
        MISSING_SYSTEM_LIBRARY("system library missing"),
        CONNECTION_AT_IMPORT("network or daemon connection at import"),
        RELATIVE_IMPORT_IN_SCRIPT("relative import in a file run as a script"),
        TIMEOUT("load timed out"),
        OTHER("other error");

        private final String label;

        Cause(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** In JSON: {@code syntax_in_agent}, {@code missing_package}... */
        @com.fasterxml.jackson.annotation.JsonValue
        public String id() {
            return name().toLowerCase();
        }
    }

    /** One failed agent: its cause, the detail that names the module, file or library, and its error as reported. */
    public record Failure(String agent, Cause cause, String detail, String error) {
    }

    /** The agents that failed for one cause, what they share ({@code details}: module, library...) and the fix. */
    public record Group(Cause cause, List<String> agents, List<String> details, String fix) {
    }

    /** How many agents were profiled, how many loaded, and the failures grouped by cause. */
    public record Summary(int profiled, int loaded, List<Group> groups, List<Failure> failures) {
    }

    private static final Pattern NO_MODULE = Pattern.compile("No module named '([^']+)'");
    private static final Pattern SYNTAX_LOCATION = Pattern.compile("\\(([^(),]+), line (\\d+)\\)\\s*$");
    private static final Pattern SHARED_OBJECT = Pattern.compile("(lib[\\w.+-]*?\\.so(?:\\.\\d+)*)|([\\w]+) library not found|Library not loaded: (\\S+)",
            Pattern.CASE_INSENSITIVE);
    private static final Set<String> IGNORED = Set.of("venv", "site-packages", "node_modules", "__pycache__", "build", "dist");
    private static final Set<String> SYNTAX_TYPES = Set.of("SyntaxError", "IndentationError", "TabError");
    private static final Set<String> CONNECTION_TYPES = Set.of("ConnectionRefusedError", "ConnectionError", "ConnectionResetError",
            "TimeoutError", "gaierror", "DockerException", "APIError", "OperationalError", "ServerSelectionTimeoutError",
            "NewConnectionError", "MaxRetryError");
    private static final List<String> CONNECTION_WORDS = List.of("connection refused", "error while fetching server api version",
            "name or service not known", "max retries exceeded", "temporary failure in name resolution", "failed to establish a new connection",
            "docker daemon", "connect call failed", "timed out connecting", "no route to host", "network is unreachable");

    /**
     * Import names whose distribution is named differently; every other top-level name is assumed to be its own
     * distribution's name, as it is for most packages.
     */
    static final Map<String, String> DISTRIBUTIONS = Map.ofEntries(
            Map.entry("yaml", "PyYAML"), Map.entry("cv2", "opencv-python"), Map.entry("PIL", "Pillow"), Map.entry("sklearn", "scikit-learn"),
            Map.entry("skimage", "scikit-image"), Map.entry("bs4", "beautifulsoup4"), Map.entry("dateutil", "python-dateutil"),
            Map.entry("dotenv", "python-dotenv"), Map.entry("zmq", "pyzmq"), Map.entry("serial", "pyserial"), Map.entry("usb", "pyusb"),
            Map.entry("Crypto", "pycryptodome"), Map.entry("jwt", "PyJWT"), Map.entry("magic", "python-magic"), Map.entry("docx", "python-docx"),
            Map.entry("pptx", "python-pptx"), Map.entry("fitz", "PyMuPDF"), Map.entry("google.protobuf", "protobuf"),
            Map.entry("grpc", "grpcio"), Map.entry("OpenSSL", "pyOpenSSL"), Map.entry("attr", "attrs"), Map.entry("jose", "python-jose"),
            Map.entry("speech_recognition", "SpeechRecognition"), Map.entry("sounddevice", "sounddevice"), Map.entry("pyaudio", "PyAudio"),
            Map.entry("whisper", "openai-whisper"), Map.entry("TTS", "TTS"), Map.entry("websocket", "websocket-client"),
            Map.entry("Levenshtein", "python-Levenshtein"), Map.entry("telegram", "python-telegram-bot"), Map.entry("faiss", "faiss-cpu"),
            Map.entry("llama_cpp", "llama-cpp-python"), Map.entry("docker", "docker"), Map.entry("redis", "redis"),
            Map.entry("psycopg2", "psycopg2-binary"), Map.entry("MySQLdb", "mysqlclient"), Map.entry("win32api", "pywin32"));

    /** Debian/Ubuntu packages of the shared libraries agents most often miss. */
    static final Map<String, String> SYSTEM_PACKAGES = Map.ofEntries(
            Map.entry("portaudio", "libportaudio2"), Map.entry("libportaudio", "libportaudio2"), Map.entry("libgl", "libgl1"),
            Map.entry("libglib", "libglib2.0-0"), Map.entry("libsndfile", "libsndfile1"), Map.entry("libgomp", "libgomp1"),
            Map.entry("libespeak", "libespeak-ng1"), Map.entry("espeak", "libespeak-ng1"), Map.entry("libasound", "libasound2"),
            Map.entry("libcuda", "the NVIDIA driver"), Map.entry("libcudart", "the CUDA runtime"), Map.entry("libzbar", "libzbar0"),
            Map.entry("libmagic", "libmagic1"), Map.entry("libsm", "libsm6"), Map.entry("libxext", "libxext6"));

    private LoadFailures() {
    }

    /**
     * @param python how the fleet's interpreter is invoked, for the {@code pip install} line
     */
    public static Summary of(List<AgentProfile> profiles, String python) {
        List<Failure> failures = new ArrayList<>();
        for (AgentProfile p : profiles) {
            if (!p.loaded()) {
                p.failure().ifPresent(e -> failures.add(classify(p, e)));
            }
        }
        Map<Cause, List<Failure>> byCause = new TreeMap<>();
        failures.forEach(f -> byCause.computeIfAbsent(f.cause(), c -> new ArrayList<>()).add(f));
        List<Group> groups = new ArrayList<>();
        byCause.forEach((cause, list) -> {
            Set<String> details = new LinkedHashSet<>();
            list.forEach(f -> details.add(f.detail()));
            String machines = String.join(",", list.stream().map(f -> f.agent().substring(0, Math.max(0, f.agent().indexOf('/')))).distinct().toList());
            groups.add(new Group(cause, list.stream().map(Failure::agent).toList(), List.copyOf(details), fix(cause, details, python, machines)));
        });
        return new Summary(profiles.size(), (int) profiles.stream().filter(AgentProfile::loaded).count(), groups, failures);
    }

    static Failure classify(AgentProfile profile, LoadSample.LoadError error) {
        String agent = profile.target().agent().toString();
        String type = error.type();
        String message = error.message() == null ? "" : error.message();
        String lower = message.toLowerCase();
        Path script = profile.target().script();
        if (SYNTAX_TYPES.contains(type)) {
            // str(SyntaxError) ends with "(BASENAME, line N)"; the probe's line is the agent's own, i.e. the import for a shared module.
            Matcher at = SYNTAX_LOCATION.matcher(message);
            boolean located = at.find();
            String file = located ? at.group(1) : script.getFileName().toString();
            int line = located ? Integer.parseInt(at.group(2)) : error.line() == null ? 0 : error.line();
            if (file.equals(script.getFileName().toString()) && (error.line() == null || error.line() == line)) {
                return new Failure(agent, Cause.SYNTAX_IN_AGENT, "%s line %d".formatted(script.getFileName(), line), error.toString());
            }
            String module = locate(profile.target().workingDirectory(), file);
            return new Failure(agent, Cause.SYNTAX_IN_SHARED_MODULE, "%s:%d%s".formatted(module, line,
                    error.line() == null ? "" : ", imported at line %d".formatted(error.line())), error.toString());
        }
        if (type.equals("ImportError") && lower.contains("attempted relative import")) {
            return new Failure(agent, Cause.RELATIVE_IMPORT_IN_SCRIPT, "%s line %s".formatted(script.getFileName(),
                    error.line() == null ? "?" : error.line()), error.toString());
        }
        Matcher shared = SHARED_OBJECT.matcher(message);
        if ((type.equals("OSError") || type.equals("ImportError") || type.equals("FileNotFoundError")) && shared.find()) {
            String library = Stream.of(shared.group(1), shared.group(2), shared.group(3)).filter(java.util.Objects::nonNull).findFirst().orElse("?");
            return new Failure(agent, Cause.MISSING_SYSTEM_LIBRARY, library, error.toString());
        }
        Matcher missing = NO_MODULE.matcher(message);
        if ((type.equals("ModuleNotFoundError") || type.equals("ImportError")) && missing.find()) {
            String module = missing.group(1);
            String top = module.split("\\.")[0];
            Optional<String> inFleet = inFleet(profile.target().workingDirectory(), top);
            if (inFleet.isPresent()) {
                return new Failure(agent, Cause.REPOSITORY_PATH, "'%s' found at %s".formatted(top, inFleet.get()), error.toString());
            }
            return new Failure(agent, Cause.MISSING_PACKAGE, top, error.toString());
        }
        if (CONNECTION_TYPES.contains(type) || CONNECTION_WORDS.stream().anyMatch(lower::contains)) {
            String what = lower.contains("docker") || type.equals("DockerException") ? "the Docker daemon"
                    : lower.contains("redis") ? "Redis" : "the service it connects to, " + type;
            return new Failure(agent, Cause.CONNECTION_AT_IMPORT, what, error.toString());
        }
        if (type.equals("Timeout")) {
            return new Failure(agent, Cause.TIMEOUT, "", error.toString());
        }
        return new Failure(agent, Cause.OTHER, type, error.toString());
    }

    private static String fix(Cause cause, Set<String> details, String python, String machines) {
        return switch (cause) {
            case SYNTAX_IN_AGENT -> "fix the syntax at the line shown (python -m py_compile FILE says the same); fleetshell never rewrites these";
            case SYNTAX_IN_SHARED_MODULE -> "fix the shared module once (" + String.join(", ", details.stream().map(d -> d.replaceFirst(", imported.*", ""))
                    .distinct().toList()) + "): every agent importing it loads again";
            case MISSING_PACKAGE -> "install into the fleet's interpreter: %s -m pip install %s".formatted(python,
                    String.join(" ", details.stream().map(m -> DISTRIBUTIONS.getOrDefault(m, m)).distinct().toList()));
            case REPOSITORY_PATH -> "the module is in the fleet but not on sys.path: see inventory env AGENT; add its parent directory to "
                    + "PYTHONPATH, or map a container path with settings.yaml machines: {%s: {path_map: {/app: .}}}, then inventory refresh".formatted(machines);
            case MISSING_SYSTEM_LIBRARY -> "install the system library: " + String.join(", ", details.stream().map(LoadFailures::systemPackage)
                    .distinct().toList());
            case CONNECTION_AT_IMPORT -> "these agents connect while their module loads: start what they connect to before profiling, "
                    + "or move the connection into main() or first use";
            case RELATIVE_IMPORT_IN_SCRIPT -> "the agent is run as a script (python agent.py), where `from . import x` has no package: "
                    + "use absolute imports, or start it with python -m package.module";
            case TIMEOUT -> "the load ran past --timeout: raise it (profile --timeout 120) or find what blocks at import (a connection, a download)";
            case OTHER -> "read each agent's error (baseline show AGENT)";
        };
    }

    private static String systemPackage(String library) {
        String key = library.toLowerCase().replaceFirst("\\.so.*", "").replaceFirst("[-\\d.]+$", "");
        return SYSTEM_PACKAGES.entrySet().stream().filter(e -> key.equals(e.getKey()) || key.startsWith(e.getKey()))
                .map(e -> "%s (%s)".formatted(library, e.getValue().startsWith("the ") ? e.getValue() : "apt install " + e.getValue()))
                .findFirst().orElse(library + " (your distribution's package that provides it)");
    }

    /** Where a top-level module lives under the fleet root (a package directory or a .py file), when it does. */
    private static Optional<String> inFleet(Path root, String top) {
        return fleetFiles(root, 4, (p, directory) -> directory ? p.getFileName().toString().equals(top) && Files.isRegularFile(p.resolve("__init__.py"))
                : p.getFileName().toString().equals(top + ".py")).stream().findFirst().map(p -> root.relativize(p).toString());
    }

    /** The fleet path of a file a syntax error names by its base name, when exactly one file under the root has it. */
    private static String locate(Path root, String fileName) {
        List<Path> found = fleetFiles(root, 6, (p, directory) -> !directory && p.getFileName().toString().equals(fileName));
        return found.size() == 1 ? root.relativize(found.getFirst()).toString() : fileName;
    }

    /** Files and package directories under the fleet root that match, outside hidden directories and virtualenvs, sorted. */
    private static List<Path> fleetFiles(Path root, int depth, java.util.function.BiPredicate<Path, Boolean> matches) {
        if (root == null || !Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.find(root, depth, (p, attrs) -> !p.equals(root) && matches.test(p, attrs.isDirectory()))) {
            return files.filter(p -> java.util.stream.StreamSupport.stream(root.relativize(p).spliterator(), false)
                            .map(Path::toString).noneMatch(n -> n.startsWith(".") || IGNORED.contains(n)))
                    .sorted().toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of();
        }
    }
}
