package io.fleetshell.engine.java;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The constructors and methods that count as heavy work when a class initializes: {@code Type.method}
 * for a call (matched on the last name of its scope, so {@code java.util.regex.Pattern.compile} and
 * {@code Pattern.compile} both match) and {@code new Type} for a constructor. A method of the same
 * file that loops or makes such a call is heavy too.
 *
 * @param entries the list, in the order given
 */
public record HeavyCalls(Set<String> entries) {

    /** Model files, big reads, compression, crypto set-up, regex compilation, clients, reflection. */
    public static final List<String> DEFAULTS = List.of(
            "new ObjectMapper", "new XmlMapper", "new Gson", "new Yaml",
            "Files.readAllBytes", "Files.readString", "Files.readAllLines", "Files.lines", "Files.walk", "Files.list",
            "Class.getResourceAsStream", "getResourceAsStream", "InputStream.readAllBytes", "readAllBytes",
            "new FileInputStream", "new FileReader", "new RandomAccessFile", "new ZipFile", "new JarFile",
            "new Deflater", "new Inflater", "new GZIPInputStream", "new GZIPOutputStream",
            "Pattern.compile", "MessageDigest.getInstance", "Cipher.getInstance", "KeyPairGenerator.getInstance",
            "KeyGenerator.getInstance", "SecureRandom.getInstanceStrong", "new SecureRandom", "KeyStore.getInstance",
            "SSLContext.getInstance", "HttpClient.newHttpClient", "HttpClient.newBuilder", "new Socket", "new ServerSocket",
            "DriverManager.getConnection", "DocumentBuilderFactory.newInstance", "TransformerFactory.newInstance",
            "XMLInputFactory.newInstance", "new ScriptEngineManager", "Class.forName", "ServiceLoader.load",
            "Thread.sleep", "ProcessBuilder.start", "Runtime.exec", "Executors.newFixedThreadPool",
            "ImageIO.read", "Collator.getInstance", "Locale.getAvailableLocales", "Charset.availableCharsets");

    public HeavyCalls {
        entries = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(entries));
    }

    public static HeavyCalls defaults() {
        return new HeavyCalls(new LinkedHashSet<>(DEFAULTS));
    }

    /**
     * The defaults plus {@code java_heavy_calls:} from {@code FLEETSHELL_HOME/settings.yaml} (a list of
     * {@code Type.method} and {@code new Type} entries); the defaults alone when the file or key is absent.
     */
    public static HeavyCalls fromSettings(Path settingsFile) {
        if (!Files.isRegularFile(settingsFile)) {
            return defaults();
        }
        Object root;
        try {
            root = new Load(LoadSettings.builder().setLabel(settingsFile.toString()).build())
                    .loadFromString(Files.readString(settingsFile));
        } catch (YamlEngineException | IOException e) {
            throw new FleetshellException(ErrorCode.CONFIG_INVALID, settingsFile + ": " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> map) || map.get("java_heavy_calls") == null) {
            return defaults();
        }
        if (!(map.get("java_heavy_calls") instanceof List<?> extra)) {
            throw new FleetshellException(ErrorCode.CONFIG_INVALID, settingsFile
                    + ": java_heavy_calls must be a list such as [\"Type.method\", \"new Type\"]");
        }
        Set<String> all = new LinkedHashSet<>(DEFAULTS);
        extra.forEach(e -> all.add(String.valueOf(e).strip()));
        return new HeavyCalls(all);
    }

    /** Whether a call {@code scope.method(...)} is heavy; {@code scope} is the last name of the call's scope, or null. */
    public boolean isHeavyCall(String scope, String method) {
        return (scope != null && entries.contains(scope + "." + method)) || entries.contains(method);
    }

    /** Whether {@code new type(...)} is heavy; {@code type} is the simple name. */
    public boolean isHeavyConstruction(String type) {
        return entries.contains("new " + type);
    }
}
