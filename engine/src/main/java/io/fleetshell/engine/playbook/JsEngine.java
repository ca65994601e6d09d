package io.fleetshell.engine.playbook;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.ResourceLimits;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The one GraalJS engine of the process, created on first use (a class holder: the shell does not pay
 * for it at start-up), and the sandboxed contexts playbooks run in. Sharing the engine makes every
 * context after the first cheap (STACK.md: ~0.5 s for the first, ~5 ms after).
 */
final class JsEngine {

    private JsEngine() {
    }

    private static final class Holder {
        static final Engine ENGINE = Engine.newBuilder("js")
                .sandbox(SandboxPolicy.CONSTRAINED)
                .out(OutputStream.nullOutputStream())
                .err(OutputStream.nullOutputStream())
                .logHandler(OutputStream.nullOutputStream())
                // Interpreter mode on a JDK without JVMCI is what playbooks want: start-up over peak speed.
                .option("engine.WarnInterpreterOnly", "false")
                .build();
        static final Source PRELUDE = Source.newBuilder("js", resource("fleet-api.js"), "fleet-api.js").buildLiteral();
    }

    static Source prelude() {
        return Holder.PRELUDE;
    }

    /**
     * A context under {@link SandboxPolicy#CONSTRAINED}: no host class lookup, no IO, no threads, no
     * processes, no environment, host objects reachable only through {@code @HostAccess.Export} members.
     * The statement limit ends the context when exceeded; output goes to {@code out}.
     */
    static Context context(long statementLimit, OutputStream out) {
        Context.Builder builder = Context.newBuilder("js")
                .engine(Holder.ENGINE)
                .sandbox(SandboxPolicy.CONSTRAINED)
                .allowHostAccess(HostAccess.CONSTRAINED)
                .out(out)
                .err(out);
        if (statementLimit > 0) {
            builder.resourceLimits(ResourceLimits.newBuilder().statementLimit(statementLimit, null).build());
        }
        return builder.build();
    }

    private static String resource(String name) {
        try (InputStream in = JsEngine.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " next to " + JsEngine.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
