package io.fleetshell.engine.python.proof;

import io.fleetshell.engine.ErrorCode;
import io.fleetshell.engine.FleetshellException;
import io.fleetshell.engine.host.Host;
import io.fleetshell.engine.host.LocalHost;
import io.fleetshell.engine.process.Leftovers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Where a proof's Python processes run: the agent's machine ({@link Host}: this computer, or a remote one over ssh)
 * and, there, the bytecode cache its loads share ({@code PYTHONPYCACHEPREFIX}). Everything a proof makes is made on
 * that host: the hidden sibling holding the rewrite, the copy of the fleet root its tests run in, the files its runs
 * write; fleetshell's programs ({@code proof_check.py}, {@code agent_run.py}: {@link io.fleetshell.engine.process.ShippedPrograms}) are passed with {@code -c}, so nothing of
 * fleetshell's own stays there. Names of temporary files carry this process's mark ({@link Leftovers#mark}), so a
 * leftover of a killed fleetshell is found and removed later ({@link Leftovers#sweep(Host, java.util.Collection)}).
 */
public final class ProofSite {

    /** The bytecode cache under a host's state directory, as {@code FleetHome.bytecodeCache} is under FLEETSHELL_HOME. */
    static final String BYTECODE_CACHE = "cache/pycache";

    private final Host host;
    /** Null until known: on a remote host its state directory is resolved by the proof's first operation there. */
    private volatile Path bytecodeCache;
    private volatile Path temporaryDirectory;

    private ProofSite(Host host, Path bytecodeCache) {
        this.host = host;
        this.bytecodeCache = bytecodeCache;
    }

    /** This computer, with the bytecode cache given (the shell's is under FLEETSHELL_HOME). */
    public static ProofSite thisComputer(Path bytecodeCache) {
        return new ProofSite(new LocalHost("local", Path.of(System.getProperty("java.io.tmpdir"))), bytecodeCache);
    }

    /**
     * The machine's host, its bytecode cache under the host's state directory (on this computer FLEETSHELL_HOME, so the
     * same cache as {@link #thisComputer} with the shell's). Nothing is asked of the host yet: the state directory is
     * resolved by {@link #writeSibling} (a proof's first operation there) or by the first {@link #bytecodeCache()}.
     */
    public static ProofSite of(Host host) {
        return new ProofSite(host, null);
    }

    public Host host() {
        return host;
    }

    /**
     * Where the loads keep their compiled bytecode, on the host.
     *
     * @throws FleetshellException when the host cannot be reached, naming it
     */
    public Path bytecodeCache() {
        Path cache = bytecodeCache;
        if (cache == null) {
            try {
                cache = host.stateDirectory().resolve(BYTECODE_CACHE);
            } catch (IOException e) {
                throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot prove on machine %s (%s): %s; nothing was changed"
                        .formatted(host.name(), host.describe(), e.getMessage()), e);
            }
            bytecodeCache = cache;
        }
        return cache;
    }

    /**
     * A new name in the host's temporary directory for a file or directory this process makes there
     * ({@code fleetshell-KIND-pPID-XXXXXXXX}); nothing is created.
     */
    public Path temporaryName(String kind, String suffix) {
        Path directory = temporaryDirectory;
        if (directory == null) {
            try {
                directory = host.temporaryDirectory();
            } catch (IOException e) {
                throw new FleetshellException(ErrorCode.OPERATION_FAILED, "cannot make a temporary file on machine %s (%s): %s; nothing was changed"
                        .formatted(host.name(), host.describe(), e.getMessage()), e);
            }
            temporaryDirectory = directory;
        }
        return directory.resolve("fleetshell-" + kind + Leftovers.mark() + UUID.randomUUID().toString().substring(0, 8) + suffix);
    }

    /** Deletes a file or tree this proof made on the host ({@link Host#deleteOwnQuietly}: also while interrupted, quietly). */
    public void remove(Path path) {
        host.deleteOwnQuietly(path);
    }

    /**
     * Writes {@code sibling}, a hidden sibling of {@code file} holding what a proof loads ({@link Host#writeFresh}), and
     * removes the siblings of {@code file} a fleetshell killed during a proof left ({@link Leftovers#sweepSiblings}), from
     * a listing the write itself returns; the same operation resolves the host's state directory for the bytecode cache
     * ({@link Host#prepareProof}): one round trip to a remote host, more only when something was left.
     *
     * @throws IOException when the write fails (nothing of this proof is then on the host)
     */
    public void writeSibling(Path file, Path sibling, byte[] content) throws IOException {
        String prefix = "." + file.getFileName() + ".fleetshell-";
        Host.Prepared prepared = host.prepareProof(sibling, content, prefix);
        if (bytecodeCache == null) {
            bytecodeCache = prepared.stateDirectory().resolve(BYTECODE_CACHE);
        }
        List<String> before = prepared.siblings();
        Path directory = file.toAbsolutePath().getParent();
        Leftovers.sweepSiblings(new Leftovers.Place() {
            @Override
            public List<String> list(Path listed) throws IOException {
                return listed.equals(directory) ? before : host.list(listed);
            }

            @Override
            public boolean deleteTree(Path path) throws IOException {
                return host.deleteTree(path);
            }
        }, file);
    }

    /**
     * Removes what fleetshell processes that are gone left on {@code host}: temporary files and copies of the fleet root
     * in its temporary directory, hidden siblings in {@code scriptDirectories} ({@link Leftovers#sweep(Leftovers.Place, Path,
     * Collection)}); {@code deploy recover} calls it for every machine of the inventory.
     *
     * @throws IOException when the host cannot be reached
     */
    public static List<Path> sweep(Host host, Collection<Path> scriptDirectories) throws IOException {
        return Leftovers.sweep(place(host), host.temporaryDirectory(), scriptDirectories);
    }

    private static Leftovers.Place place(Host host) {
        return new Leftovers.Place() {
            @Override
            public List<String> list(Path directory) throws IOException {
                return host.list(directory);
            }

            @Override
            public boolean deleteTree(Path path) throws IOException {
                return host.deleteTree(path);
            }
        };
    }

    @Override
    public String toString() {
        return host.describe();
    }
}
