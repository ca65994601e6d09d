package io.fleetshell.engine.python.pattern;

import io.fleetshell.engine.pattern.Applicability;
import io.fleetshell.engine.pattern.Pattern;
import io.fleetshell.engine.pattern.Rewrite;
import io.fleetshell.engine.python.analysis.FileFacts;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.fleetshell.engine.python.pattern.RewriteTest.assertRewrite;
import static io.fleetshell.engine.python.pattern.RewriteTest.input;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden before/after tests of {@code async_initialization}: each case that moves heavy work next to the refusal that
 * must leave it alone (issue 21). {@code <starter>} stands for the inlined holder factory.
 */
class InitializeInBackgroundTest {

    private static final Pattern<FileFacts> ASYNC = new InitializeInBackground();
    private static final String PY311 = "3.11.2";

    private static Rewrite assertAsync(String before, String after) {
        return assertRewrite(ASYNC, PY311, before, after);
    }

    private static String refusal(String source) {
        Applicability applicability = ASYNC.validate(input(source, PY311, Map.of()));
        assertThat(applicability.applies()).isFalse();
        return String.join("\n", applicability.reasons());
    }

    @Test
    void aModelLoadedAtModuleLevelAndReadInTheHandlerMovesAndTheServeHookGetsReady() {
        assertAsync("""
                import pickle
                import sys

                from common.demo_runtime import serve


                def _load(path):
                    with open(path, "rb") as fh:
                        return pickle.load(fh)


                MODEL = _load("/models/m.pkl")


                def handle_run(params):
                    return {"size": len(MODEL), "first": MODEL[0]}


                if __name__ == "__main__":
                    sys.exit(serve("Agent", handle_run, 7000, 8000))
                """, """
                import pickle
                import sys

                from common.demo_runtime import serve


                def _load(path):
                    with open(path, "rb") as fh:
                        return pickle.load(fh)


                # fleetshell async_initialization: heavy work below starts in a background thread; reads of its name wait for it
                #   moved to a background thread: `MODEL` (line 12), which calls open (line 8), pickle.load (line 9)
                <starter>
                MODEL = _fleetshell_start("MODEL", lambda: _load("/models/m.pkl"))
                del _fleetshell_start


                def handle_run(params):
                    return {"size": len(MODEL.result()), "first": MODEL.result()[0]}


                if __name__ == "__main__":
                    sys.exit(serve("Agent", handle_run, 7000, 8000, ready=MODEL.ready))
                """);
    }

    @Test
    void twoLoadsShareOneStarterAndTheReadyCheckWaitsForBoth() {
        assertAsync("""
                import json
                import pickle
                from common.demo_runtime import serve

                VOCAB = json.load(open("/models/vocab.json"))
                WEIGHTS = pickle.load(open("/models/w.pkl", "rb"))


                def run(params):
                    return VOCAB.get(params["x"], 0) * WEIGHTS[0]


                if __name__ == "__main__":
                    serve("Agent", run, 7000, 8000)
                """, """
                import json
                import pickle
                from common.demo_runtime import serve

                # fleetshell async_initialization: heavy work below starts in a background thread; reads of its name wait for it
                #   moved to a background thread: `VOCAB` (line 5), which calls json.load (line 5)
                #   moved to a background thread: `WEIGHTS` (line 6), which calls pickle.load (line 6)
                <starter>
                VOCAB = _fleetshell_start("VOCAB", lambda: json.load(open("/models/vocab.json")))
                WEIGHTS = _fleetshell_start("WEIGHTS", lambda: pickle.load(open("/models/w.pkl", "rb")))
                del _fleetshell_start


                def run(params):
                    return VOCAB.result().get(params["x"], 0) * WEIGHTS.result()[0]


                if __name__ == "__main__":
                    serve("Agent", run, 7000, 8000, ready=lambda: all(h.ready() for h in (VOCAB, WEIGHTS)))
                """);
    }

    @Test
    void anInstanceWhoseInitLoadsTheModelMovesToo() {
        assertAsync("""
                import joblib


                class Agent:
                    def __init__(self, path):
                        self.model = joblib.load(path)

                    def predict(self, x):
                        return self.model.predict([x])


                AGENT = Agent("/models/m.joblib")


                def handle(params):
                    return AGENT.predict(params["x"])
                """, """
                import joblib


                class Agent:
                    def __init__(self, path):
                        self.model = joblib.load(path)

                    def predict(self, x):
                        return self.model.predict([x])


                # fleetshell async_initialization: heavy work below starts in a background thread; reads of its name wait for it
                #   moved to a background thread: `AGENT` (line 12), which calls joblib.load (line 6)
                <starter>
                AGENT = _fleetshell_start("AGENT", lambda: Agent("/models/m.joblib"))
                del _fleetshell_start


                def handle(params):
                    return AGENT.result().predict(params["x"])
                """);
    }

    @Test
    void withoutARecognisableHealthHandlerItMovesAndSaysOnlyTimeToReadyIsKept() {
        Rewrite rewrite = assertAsync("""
                import pickle

                MODEL = pickle.load(open("/m.pkl", "rb"))


                def run(x):
                    return MODEL[x]
                """, """
                import pickle

                # fleetshell async_initialization: heavy work below starts in a background thread; reads of its name wait for it
                #   moved to a background thread: `MODEL` (line 3), which calls pickle.load (line 3)
                <starter>
                MODEL = _fleetshell_start("MODEL", lambda: pickle.load(open("/m.pkl", "rb")))
                del _fleetshell_start


                def run(x):
                    return MODEL.result()[x]
                """);
        assertThat(rewrite.notes()).anyMatch(n -> n.startsWith("readiness: no call of a readiness hook was found"));
    }

    @Test
    void aConfiguredHookGetsItsOwnKeyword() {
        assertRewrite(ASYNC, PY311, Map.of(InitializeInBackground.OPTION_READINESS_HOOKS, "fleet.base.run_agent:is_ready"), """
                import pickle
                from fleet.base import run_agent

                MODEL = pickle.load(open("/m.pkl", "rb"))

                if __name__ == "__main__":
                    run_agent(lambda q: MODEL[q])
                """, null);
        assertRewrite(ASYNC, PY311, Map.of(InitializeInBackground.OPTION_READINESS_HOOKS, "fleet.base.run_agent:is_ready"), """
                import pickle
                from fleet.base import run_agent

                MODEL = pickle.load(open("/m.pkl", "rb"))


                def answer(q):
                    return MODEL[q]


                if __name__ == "__main__":
                    run_agent(answer)
                """, """
                import pickle
                from fleet.base import run_agent

                # fleetshell async_initialization: heavy work below starts in a background thread; reads of its name wait for it
                #   moved to a background thread: `MODEL` (line 4), which calls pickle.load (line 4)
                <starter>
                MODEL = _fleetshell_start("MODEL", lambda: pickle.load(open("/m.pkl", "rb")))
                del _fleetshell_start


                def answer(q):
                    return MODEL.result()[q]


                if __name__ == "__main__":
                    run_agent(answer, is_ready=MODEL.ready)
                """);
    }

    @Test
    void aResultReadWhileTheModuleLoadsStays() {
        assertThat(refusal("""
                import json

                CONFIG = json.load(open("/etc/agent.json"))
                PORT = CONFIG["port"]
                """)).contains("`CONFIG` is read while the module loads (line 4): its result is needed during start-up");
    }

    @Test
    void aResultReadByAFunctionCalledAtLoadStays() {
        assertThat(refusal("""
                import json

                CONFIG = json.load(open("/etc/agent.json"))


                def port():
                    return CONFIG["port"]


                PORT = port()
                """)).contains("`CONFIG` is read by port() (line 7), which runs while the module loads");
    }

    @Test
    void aResultTheMainBlockReadsBeforeServingStays() {
        assertThat(refusal("""
                import json
                from common.demo_runtime import serve

                CONFIG = json.load(open("/etc/agent.json"))

                if __name__ == "__main__":
                    serve("A", print, CONFIG["port"], 8000)
                """)).contains("`CONFIG` is read by the __main__ block (line 7) before the agent serves: it must finish before the port is bound");
    }

    @Test
    void anAgentThatForksStays() {
        assertThat(refusal("""
                import os
                import pickle

                MODEL = pickle.load(open("/m.pkl", "rb"))


                def spawn():
                    if os.fork() == 0:
                        return MODEL
                """)).contains("the agent forks (os.fork, line 8)");
    }

    @Test
    void workThatInstallsSignalHandlersStays() {
        assertThat(refusal("""
                import pickle
                import signal


                def load():
                    signal.signal(signal.SIGHUP, signal.SIG_IGN)
                    return pickle.load(open("/m.pkl", "rb"))


                MODEL = load()


                def run():
                    return MODEL
                """)).contains("it installs signal handlers (line 6): Python allows that only in the main thread");
    }

    @Test
    void aNameBoundAgainStays() {
        assertThat(refusal("""
                import pickle

                MODEL = pickle.load(open("/m.pkl", "rb"))


                def reload():
                    global MODEL
                    MODEL = pickle.load(open("/m.pkl", "rb"))
                """)).contains("`MODEL` is bound again (line 8)");
    }

    @Test
    void aReadTheAnalysisDoesNotFollowKeepsTheStatementWhereItIs() {
        assertThat(refusal("""
                import pickle

                MODEL = pickle.load(open("/m.pkl", "rb"))


                def handler(fast):
                    if fast:
                        def inner():
                            return MODEL[0]
                        return inner
                    return None
                """)).contains("`MODEL` is used where async_initialization does not follow it (line 9");
    }

    @Test
    void heavyWorkWhoseResultIsNotKeptStays() {
        assertThat(refusal("""
                import time

                time.sleep(1)
                """)).contains("its result is not kept");
    }

    @Test
    void aFileWithoutHeavyWorkIsLeftAlone() {
        assertThat(refusal("""
                import json

                DEFAULTS = {"a": 1}
                """)).startsWith("nothing to move: no heavy call runs while the module loads");
    }

    @Test
    void aFileRewrittenAlreadyIsRefused() {
        Rewrite first = ASYNC.rewrite(input("""
                import pickle

                MODEL = pickle.load(open("/m.pkl", "rb"))
                """, PY311, Map.of()));
        assertThat(first.changes()).isTrue();
        assertThat(ASYNC.validate(input(first.after(), PY311, Map.of())).reasons().getFirst())
                .contains("rewritten by async_initialization already");
    }

    @Test
    void crlfLineEndingsAreKept() {
        assertAsync("import pickle\r\n\r\nMODEL = pickle.load(open('/m.pkl', 'rb'))\r\n", null == null ? """
                import pickle\r
                \r
                # fleetshell async_initialization: heavy work below starts in a background thread; reads of its name wait for it\r
                #   moved to a background thread: `MODEL` (line 3), which calls pickle.load (line 3)\r
                """ + RewriteTest.STARTER.replace("\n", "\r\n") + "\r\n"
                + "MODEL = _fleetshell_start(\"MODEL\", lambda: pickle.load(open('/m.pkl', 'rb')))\r\ndel _fleetshell_start\r\n" : null);
    }
}
