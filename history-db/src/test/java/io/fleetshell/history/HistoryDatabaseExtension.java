package io.fleetshell.history;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Gives each test method that asks for a {@link HistoryDatabase} parameter its own database file in a
 * new temporary directory, opened with the real migrations, and closes and deletes it afterwards.
 * (After JDBI's {@code JdbiSqliteExtension}.)
 */
final class HistoryDatabaseExtension implements ParameterResolver {

    /** Flyway logs every migration at INFO through java.util.logging; held so the level sticks. */
    private static final Logger FLYWAY_LOG = Logger.getLogger("org.flywaydb");

    static {
        FLYWAY_LOG.setLevel(Level.WARNING);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == HistoryDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(ExtensionContext.Namespace.create(HistoryDatabaseExtension.class))
                .computeIfAbsent("database", key -> TemporaryDatabase.create(), TemporaryDatabase.class)
                .database();
    }

    /** Closed by JUnit at the end of the test, because the store closes what it holds. */
    record TemporaryDatabase(Path directory, HistoryDatabase database) implements AutoCloseable {

        static TemporaryDatabase create() {
            try {
                Path directory = Files.createTempDirectory("fleetshell-history-");
                return new TemporaryDatabase(directory, HistoryDatabase.open(directory.resolve("history.db")));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() throws IOException {
            database.close();
            deleteRecursively(directory);
        }
    }

    static void deleteRecursively(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
