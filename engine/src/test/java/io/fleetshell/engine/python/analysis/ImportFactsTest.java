package io.fleetshell.engine.python.analysis;

import io.fleetshell.engine.python.analysis.EagerReason.AfterSysPathChange;
import io.fleetshell.engine.python.analysis.EagerReason.FutureImport;
import io.fleetshell.engine.python.analysis.EagerReason.InsideTry;
import io.fleetshell.engine.python.analysis.EagerReason.KeptOnPurpose;
import io.fleetshell.engine.python.analysis.EagerReason.SideEffectModule;
import io.fleetshell.engine.python.analysis.EagerReason.StarImport;
import io.fleetshell.engine.python.analysis.EagerReason.UsedAtImportTime;
import io.fleetshell.engine.python.analysis.EagerReason.UsedInMainBlock;
import io.fleetshell.engine.python.analysis.ImportFact.Context;
import io.fleetshell.engine.python.analysis.Use.Phase;
import io.fleetshell.testing.Await;
import io.fleetshell.engine.analysis.ParseError;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Golden tests of the import facts and of the verdicts drawn from them: one Python source per trap of
 * LAZY_IMPORTS.md, with the name that falls into it next to one that does not.
 */
class ImportFactsTest {

    @TempDir
    Path sources;

    private static PythonFacts runner;

    @BeforeAll
    static void runner() {
        runner = new PythonFacts();
    }

    // ---------------------------------------------------------------- rule 1: what runs while the module loads

    @Test
    void decoratorUseIsImportTime() {
        FileFacts facts = facts("""
                import cachelib
                import numpy as np

                @cachelib.memoize
                def compute():
                    return np.zeros(3)
                """);
        assertThat(facts.usesOf("cachelib")).containsExactly(new Use(4, 1, Phase.IMPORT_TIME, "decorator"));
        assertThat(facts.usesOf("np")).containsExactly(new Use(6, 11, Phase.DEFERRED, "inside compute()"));
        assertEager(facts, "cachelib", UsedAtImportTime.class);
        assertDeferrable(facts, "np");
    }

    @Test
    void defaultArgumentIsImportTime() {
        FileFacts facts = facts("""
                import numpy as np
                import pandas as pd

                def convert(x, dtype=np.float32):
                    return pd.Series(x, dtype=dtype)
                """);
        assertThat(facts.usesOf("np")).extracting(Use::phase, Use::via).containsExactly(tuple(Phase.IMPORT_TIME, "default argument"));
        assertThat(facts.usesOf("pd")).extracting(Use::phase).containsExactly(Phase.DEFERRED);
        assertEager(facts, "np", UsedAtImportTime.class);
        assertDeferrable(facts, "pd");
    }

    @Test
    void baseClassIsImportTime() {
        FileFacts facts = facts("""
                import torch.nn as nn
                import torch

                class Net(nn.Module):
                    def forward(self, x):
                        return torch.relu(x)
                """);
        assertThat(facts.usesOf("nn")).extracting(Use::line, Use::phase, Use::via).containsExactly(tuple(4, Phase.IMPORT_TIME, "base class"));
        assertThat(facts.usesOf("torch")).extracting(Use::phase, Use::via).containsExactly(tuple(Phase.DEFERRED, "inside Net.forward()"));
        assertEager(facts, "nn", UsedAtImportTime.class);
        assertDeferrable(facts, "torch");
    }

    @Test
    void metaclassKeywordIsImportTime() {
        FileFacts facts = facts("""
                import abc
                import json

                class Plugin(metaclass=abc.ABCMeta):
                    def dump(self):
                        return json.dumps({})
                """);
        assertThat(facts.usesOf("abc")).extracting(Use::phase, Use::via).containsExactly(tuple(Phase.IMPORT_TIME, "metaclass keyword"));
        assertEager(facts, "abc", UsedAtImportTime.class);
        assertDeferrable(facts, "json");
    }

    @Test
    void classBodyAndModuleLevelConstantAreImportTime() {
        FileFacts facts = facts("""
                import yaml
                import numpy as np
                import pandas as pd

                CONFIG = yaml.safe_load("port: 1")

                class Settings:
                    default = np.float64

                def frame():
                    return pd.DataFrame()
                """);
        assertThat(facts.usesOf("yaml")).extracting(Use::line, Use::phase, Use::via)
                .containsExactly(tuple(5, Phase.IMPORT_TIME, "module-level statement"));
        assertThat(facts.usesOf("np")).extracting(Use::phase, Use::via).containsExactly(tuple(Phase.IMPORT_TIME, "class body"));
        assertEager(facts, "yaml", UsedAtImportTime.class);
        assertEager(facts, "np", UsedAtImportTime.class);
        assertDeferrable(facts, "pd");
    }

    @Test
    void callAtModuleLevelMakesCalleesImportTimeTransitively() {
        FileFacts facts = facts("""
                import numpy as np
                import pandas as pd

                def helper():
                    return np.ones(2)

                def setup():
                    return helper()

                def later():
                    return pd.DataFrame()

                TABLE = setup()
                """);
        assertThat(facts.usesOf("np")).extracting(Use::line, Use::phase, Use::via)
                .containsExactly(tuple(5, Phase.IMPORT_TIME, "called at module level via setup() -> helper()"));
        assertThat(facts.usesOf("pd")).extracting(Use::phase, Use::via).containsExactly(tuple(Phase.DEFERRED, "inside later()"));
        assertThat(DeferrableImports.verdictFor(facts, "np").orElseThrow().explain())
                .contains("line 5 uses it while the module loads (called at module level via setup() -> helper())");
        assertDeferrable(facts, "pd");
    }

    @Test
    void instantiationAtModuleLevelRunsInit() {
        FileFacts facts = facts("""
                import json
                import numpy as np

                class Worker:
                    def __init__(self):
                        self.state = json.loads("{}")

                    def handle(self, request):
                        return np.array(request)

                WORKER = Worker()
                """);
        assertThat(facts.usesOf("json")).extracting(Use::phase, Use::via)
                .containsExactly(tuple(Phase.IMPORT_TIME, "called at module level via Worker() runs Worker.__init__()"));
        assertThat(facts.usesOf("np")).extracting(Use::phase, Use::via).containsExactly(tuple(Phase.DEFERRED, "inside Worker.handle()"));
        assertEager(facts, "json", UsedAtImportTime.class);
        assertDeferrable(facts, "np");
    }

    @Test
    void methodCalledThroughSelfFromInitIsImportTimeToo() {
        FileFacts facts = facts("""
                import redis

                class Cache:
                    def __init__(self):
                        self.client = self.connect()

                    def connect(self):
                        return redis.Redis()

                CACHE = Cache()
                """);
        assertThat(facts.usesOf("redis")).extracting(Use::phase, Use::via)
                .containsExactly(tuple(Phase.IMPORT_TIME, "called at module level via Cache() runs Cache.__init__() -> self.connect()"));
        assertThat(facts.heavyCalls()).extracting(HeavyCall::callee, HeavyCall::category, HeavyCall::phase)
                .containsExactly(tuple("redis.Redis", HeavyCall.Category.NETWORK, Phase.IMPORT_TIME));
    }

    @Test
    void annotationIsEvaluatedAtDefTimeWithoutFutureImport() {
        FileFacts facts = facts("""
                import numpy as np

                def scale(x: np.ndarray) -> np.ndarray:
                    return x
                """);
        assertThat(facts.futureAnnotations()).isFalse();
        assertThat(facts.usesOf("np")).extracting(Use::phase, Use::via)
                .containsExactly(tuple(Phase.IMPORT_TIME, "annotation"), tuple(Phase.IMPORT_TIME, "annotation"));
        assertEager(facts, "np", UsedAtImportTime.class);
    }

    @Test
    void annotationIsNotEvaluatedWithFutureImport() {
        FileFacts facts = facts("""
                from __future__ import annotations
                import numpy as np

                def scale(x: np.ndarray) -> np.ndarray:
                    return x
                """);
        assertThat(facts.futureAnnotations()).isTrue();
        assertThat(facts.usesOf("np")).extracting(Use::phase).containsOnly(Phase.ANNOTATION_DEFERRED);
        assertThat(facts.unused()).isEmpty();
        assertDeferrable(facts, "np");
    }

    @Test
    void annotationInAFunctionBodyIsNeverEvaluated() {
        FileFacts facts = facts("""
                import numpy as np

                def run():
                    buffer: np.ndarray = None
                    return buffer
                """);
        assertThat(facts.usesOf("np")).extracting(Use::phase, Use::via)
                .containsExactly(tuple(Phase.ANNOTATION_DEFERRED, "annotation in a function body (never evaluated)"));
        assertDeferrable(facts, "np");
    }

    @Test
    void stringAnnotationIsItsOwnPhase() {
        FileFacts facts = facts("""
                import pandas as pd

                def load(path) -> "pd.DataFrame":
                    return None
                """);
        assertThat(facts.usesOf("pd")).extracting(Use::line, Use::phase).containsExactly(tuple(3, Phase.ANNOTATION_STRING));
        assertThat(facts.unused()).containsExactly(new UnusedImport("pd", 1, UnusedImport.Kept.STRING_ANNOTATION));
        assertThat(verdict(facts, "pd")).isInstanceOfSatisfying(ImportVerdict.Deferrable.class,
                d -> assertThat(d.notes()).anySatisfy(n -> assertThat(n).contains("string annotations")));
    }

    @Test
    void mainBlockUseIsStartUpOfTheScript() {
        FileFacts facts = facts("""
                import argparse
                import zmq
                import numpy as np

                def serve():
                    return zmq.Context()

                def handle(request):
                    return np.sum(request)

                if __name__ == "__main__":
                    parser = argparse.ArgumentParser()
                    serve()
                """);
        assertThat(facts.hasMainBlock()).isTrue();
        assertThat(facts.usesOf("argparse")).extracting(Use::phase, Use::via).containsExactly(tuple(Phase.MAIN, "__main__ block"));
        assertThat(facts.usesOf("zmq")).extracting(Use::phase, Use::via)
                .containsExactly(tuple(Phase.MAIN, "called from the __main__ block via serve()"));
        assertEager(facts, "argparse", UsedInMainBlock.class);
        assertEager(facts, "zmq", UsedInMainBlock.class);
        assertDeferrable(facts, "np");
    }

    /** Regression: the demo agents' serve(NAME, handle_run, ...) kept every import their handlers use eager. */
    @Test
    void handlersGivenToAServingLoopInTheMainBlockAreCallbacksNotStartUp() {
        FileFacts facts = facts("""
                import difflib
                import textwrap
                from runtime import serve

                def handle_run(query):
                    return difflib.get_close_matches(query, ["a", "b"])

                def banner():
                    return textwrap.dedent("  hi")

                if __name__ == "__main__":
                    banner()
                    serve("Agent", handle_run, 7200)
                """);
        assertThat(facts.usesOf("difflib")).extracting(Use::phase).containsExactly(Phase.DEFERRED);
        assertDeferrable(facts, "difflib");
        assertThat(facts.usesOf("textwrap")).extracting(Use::phase, Use::via)
                .containsExactly(tuple(Phase.MAIN, "called from the __main__ block via banner()"));
        assertEager(facts, "textwrap", UsedInMainBlock.class);
    }

    @Test
    void functionsHandedToACallAtModuleLevelStillCountAsCalled() {
        FileFacts facts = facts("""
                import decimal

                def parse(text):
                    return decimal.Decimal(text)

                VALUES = list(map(parse, ["1", "2"]))
                """);
        assertEager(facts, "decimal", UsedAtImportTime.class);
    }

    @Test
    void moduleGetattrUsesHaveTheirOwnPhase() {
        FileFacts facts = facts("""
                import importlib
                import heavy_plugin

                def __getattr__(name):
                    return importlib.import_module("pkg." + name)
                """);
        assertThat(facts.definesGetattr()).isTrue();
        assertThat(facts.usesOf("importlib")).extracting(Use::phase, Use::via)
                .containsExactly(tuple(Phase.GETATTR, "inside module __getattr__()"));
        assertThat(facts.unused()).containsExactly(
                new UnusedImport("importlib", 1, UnusedImport.Kept.GETATTR),
                new UnusedImport("heavy_plugin", 2, null));
        assertDeferrable(facts, "importlib");
        assertThat(verdict(facts, "heavy_plugin")).isInstanceOf(ImportVerdict.Unused.class);
    }

    @Test
    void decoratorDefinedInTheFileRunsItsBodyAtImport() {
        FileFacts facts = facts("""
                import json
                import numpy as np

                REGISTRY = []

                def register(handler):
                    REGISTRY.append(json.dumps({"name": handler.__name__}))
                    return handler

                @register
                def on_request(request):
                    return np.asarray(request)
                """);
        assertThat(facts.usesOf("json")).extracting(Use::phase, Use::via)
                .containsExactly(tuple(Phase.IMPORT_TIME, "called at module level via @register decorator runs register()"));
        assertDeferrable(facts, "np");
    }

    @Test
    void decoratorFactoryAppliesTheFunctionItReturns() {
        FileFacts facts = facts("""
                import yaml

                def route(path):
                    def wrap(handler):
                        handler.spec = yaml.safe_dump({"path": path})
                        return handler
                    return wrap

                @route("/ping")
                def ping():
                    return "pong"
                """);
        assertThat(facts.usesOf("yaml")).extracting(Use::phase, Use::via)
                .containsExactly(tuple(Phase.IMPORT_TIME, "called at module level via @route(...) applies route.wrap()"));
    }

    @Test
    void subclassDefinitionRunsInitSubclassAndSuperInitChainsToTheBase() {
        FileFacts facts = facts("""
                import logging
                import sqlite3

                class Base:
                    def __init_subclass__(cls, **kwargs):
                        logging.getLogger(cls.__name__)

                    def __init__(self):
                        self.db = sqlite3.connect(":memory:")

                class Agent(Base):
                    def __init__(self):
                        super().__init__()

                AGENT = Agent()
                """);
        assertThat(facts.usesOf("logging")).extracting(Use::phase, Use::via)
                .containsExactly(tuple(Phase.IMPORT_TIME, "called at module level via class Agent runs Base.__init_subclass__()"));
        assertThat(facts.usesOf("sqlite3")).extracting(Use::phase, Use::via)
                .containsExactly(tuple(Phase.IMPORT_TIME, "called at module level via Agent() runs Agent.__init__() -> super(...).__init__()"));
    }

    @Test
    void methodCalledOnAModuleLevelInstanceRunsAtImport() {
        FileFacts facts = facts("""
                import toml

                class App:
                    def configure(self):
                        self.settings = toml.loads("a = 1")

                APP = App()
                APP.configure()
                """);
        assertThat(facts.usesOf("toml")).extracting(Use::phase, Use::via)
                .containsExactly(tuple(Phase.IMPORT_TIME, "called at module level via APP.configure()"));
    }

    @Test
    void functionHandedToACallAtModuleLevelMayRunThere() {
        FileFacts facts = facts("""
                import math

                def root(x):
                    return math.sqrt(x)

                ROOTS = list(map(root, range(10)))
                SQUARE = (lambda x: math.pow(x, 2))
                """);
        assertThat(facts.usesOf("math")).extracting(Use::line, Use::phase, Use::via)
                .containsExactly(
                        tuple(4, Phase.IMPORT_TIME, "called at module level via root passed to map()"),
                        tuple(7, Phase.DEFERRED, "inside the lambda on line 7"));
    }

    @Test
    void callbacksRegisteredWithAtexitOrSignalDoNotRunAtImport() {
        FileFacts facts = facts("""
                import atexit
                import signal
                import json
                import numpy as np

                def flush():
                    json.dump({}, open("state.json", "w"))

                def on_term(signum, frame):
                    np.save("last.npy", np.zeros(1))

                atexit.register(flush)
                signal.signal(signal.SIGTERM, on_term)
                """);
        assertThat(facts.usesOf("json")).extracting(Use::phase).containsExactly(Phase.DEFERRED);
        assertThat(facts.usesOf("np")).extracting(Use::phase).containsOnly(Phase.DEFERRED);
        assertThat(facts.heavyCalls()).isEmpty();
        assertDeferrable(facts, "json");
        assertDeferrable(facts, "np");
    }

    @Test
    void heavyCallInTheMainBlockIsReportedAsMain() {
        FileFacts facts = facts("""
                import time

                def loop():
                    while True:
                        time.sleep(1)

                if __name__ == "__main__":
                    loop()
                """);
        assertThat(facts.heavyCalls()).extracting(HeavyCall::line, HeavyCall::category, HeavyCall::phase, HeavyCall::via)
                .containsExactly(tuple(5, HeavyCall.Category.SLEEP, Phase.MAIN, "called from the __main__ block via loop()"));
    }

    // ---------------------------------------------------------------- rule 5: never defer

    @Test
    void importInsideTryExceptImportErrorStays() {
        FileFacts facts = facts("""
                try:
                    import ujson as json
                except ImportError:
                    import json

                def dump(x):
                    return json.dumps(x)
                """);
        assertThat(facts.imports()).extracting(ImportFact::module, ImportFact::bound, ImportFact::context, ImportFact::tryHandlers, ImportFact::tryPart)
                .containsExactly(
                        tuple("ujson", "json", Context.TRY, List.of("ImportError"), ImportFact.TryPart.BODY),
                        tuple("json", "json", Context.TRY, List.of("ImportError"), ImportFact.TryPart.HANDLER));
        assertThat(DeferrableImports.classify(facts)).allSatisfy(v -> assertThat(v)
                .isInstanceOfSatisfying(ImportVerdict.MustStayEager.class,
                        e -> assertThat(e.reason()).isEqualTo(new InsideTry(List.of("ImportError")))));
    }

    @Test
    void sideEffectModuleStaysAndIsNeverRemovable() {
        FileFacts facts = facts("""
                import readline
                import leftover
                """);
        assertThat(facts.imports()).extracting(ImportFact::bound, ImportFact::sideEffect)
                .containsExactly(tuple("readline", true), tuple("leftover", false));
        assertThat(facts.unused()).containsExactly(
                new UnusedImport("readline", 1, UnusedImport.Kept.SIDE_EFFECT),
                new UnusedImport("leftover", 2, null));
        assertEager(facts, "readline", SideEffectModule.class);
        assertThat(verdict(facts, "leftover")).isInstanceOf(ImportVerdict.Unused.class);
    }

    @Test
    void starImportStays() {
        FileFacts facts = facts("""
                from os.path import *
                """);
        assertThat(facts.imports()).singleElement().satisfies(i -> {
            assertThat(i.star()).isTrue();
            assertThat(i.name()).isEqualTo("*");
            assertThat(i.bound()).isNull();
        });
        assertThat(facts.unused()).isEmpty();
        assertThat(DeferrableImports.classify(facts)).singleElement().isInstanceOfSatisfying(ImportVerdict.MustStayEager.class,
                e -> assertThat(e.reason()).isInstanceOf(StarImport.class));
    }

    @Test
    void futureImportStaysAndIsNotUnused() {
        FileFacts facts = facts("""
                from __future__ import annotations, division
                """);
        assertThat(facts.imports()).extracting(ImportFact::name, ImportFact::future, ImportFact::statementNames)
                .containsExactly(tuple("annotations", true, 2), tuple("division", true, 2));
        assertThat(facts.unused()).isEmpty();
        assertEager(facts, "annotations", FutureImport.class);
    }

    @Test
    void typeCheckingImportIsNotARuntimeImport() {
        FileFacts facts = facts("""
                import typing
                from typing import TYPE_CHECKING

                if TYPE_CHECKING:
                    import pandas as pd
                if typing.TYPE_CHECKING:
                    import numpy as np
                else:
                    np = None

                def f(frame: "pd.DataFrame", array: "np.ndarray"):
                    return frame
                """);
        assertThat(facts.imports()).filteredOn(i -> List.of("pd", "np").contains(i.bound()))
                .extracting(ImportFact::bound, ImportFact::context, ImportFact::typeChecking)
                .containsExactly(tuple("pd", Context.IF, true), tuple("np", Context.IF, true));
        assertThat(verdict(facts, "pd")).isInstanceOf(ImportVerdict.NotRuntime.class);
        assertThat(verdict(facts, "np")).isInstanceOf(ImportVerdict.NotRuntime.class);
        assertEager(facts, "TYPE_CHECKING", UsedAtImportTime.class);
    }

    @Test
    void importAfterSysPathChangeStays() {
        FileFacts facts = facts("""
                import os
                import sys
                sys.path.insert(0, os.path.dirname(__file__))
                import local_plugin

                def run():
                    return local_plugin.go()
                """);
        assertThat(facts.sysPathChanges()).containsExactly(new SysPathChange(3, 0, "sys.path.insert", Phase.IMPORT_TIME));
        assertThat(verdict(facts, "local_plugin")).isInstanceOfSatisfying(ImportVerdict.MustStayEager.class,
                e -> assertThat(e.reason()).isInstanceOfSatisfying(AfterSysPathChange.class, r -> assertThat(r.change().line()).isEqualTo(3)));
        assertEager(facts, "sys", UsedAtImportTime.class);
    }

    @Test
    void noqaMarkedUnusedImportIsKeptOnPurpose() {
        FileFacts facts = facts("""
                import plugins.register  # noqa
                import tracing_hooks  # noqa: F401
                import stale  # noqa: E501
                """);
        assertThat(facts.imports()).extracting(ImportFact::bound, ImportFact::noqa)
                .containsExactly(tuple("plugins", true), tuple("tracing_hooks", true), tuple("stale", false));
        assertThat(facts.unused()).extracting(UnusedImport::bound, UnusedImport::kept)
                .containsExactly(tuple("plugins", UnusedImport.Kept.NOQA), tuple("tracing_hooks", UnusedImport.Kept.NOQA), tuple("stale", null));
        assertEager(facts, "plugins", KeptOnPurpose.class);
        assertThat(verdict(facts, "stale")).isInstanceOf(ImportVerdict.Unused.class);
    }

    @Test
    void reExportViaAllIsAUseThatKeepsTheBinding() {
        FileFacts facts = facts("""
                from .core import Engine
                from .util import unused_helper

                __all__ = ["Engine"]
                """);
        assertThat(facts.usesOf("Engine")).containsExactly(new Use(4, 11, Phase.EXPORT, "listed in __all__"));
        assertThat(facts.unused()).extracting(UnusedImport::bound, UnusedImport::kept)
                .containsExactly(tuple("Engine", UnusedImport.Kept.EXPORTED), tuple("unused_helper", null));
        assertThat(verdict(facts, "Engine")).isInstanceOfSatisfying(ImportVerdict.Deferrable.class,
                d -> assertThat(d.notes()).anySatisfy(n -> assertThat(n).contains("re-exported")));
    }

    @Test
    void sharedStatementWithOneDeferrableNameIsSplit() {
        FileFacts facts = facts("""
                import os, sys

                sys.setrecursionlimit(5000)

                def home():
                    return os.environ["HOME"]
                """);
        assertThat(facts.imports()).extracting(ImportFact::bound, ImportFact::statementNames).containsExactly(tuple("os", 2), tuple("sys", 2));
        assertThat(facts.imports().get(0).span()).isEqualTo(facts.imports().get(1).span()).isEqualTo(new ImportFact.Span(1, 0, 1, 14));
        assertThat(verdict(facts, "os")).isInstanceOfSatisfying(ImportVerdict.Deferrable.class,
                d -> assertThat(d.notes()).containsExactly("it shares its statement with sys, which stays: split the statement"));
        assertEager(facts, "sys", UsedAtImportTime.class);
    }

    // ---------------------------------------------------------------- rules 3 and 4: what a statement binds

    @Test
    void importOfDottedModuleBindsTheTopPackage() {
        FileFacts facts = facts("""
                import xml.etree.ElementTree

                def parse(text):
                    return xml.etree.ElementTree.fromstring(text)
                """);
        assertThat(facts.imports()).singleElement().satisfies(i -> {
            assertThat(i.kind()).isEqualTo(ImportFact.Kind.IMPORT);
            assertThat(i.module()).isEqualTo("xml.etree.ElementTree");
            assertThat(i.name()).isNull();
            assertThat(i.bound()).isEqualTo("xml");
            assertThat(i.alias()).isNull();
        });
        assertThat(facts.usesOf("xml")).extracting(Use::phase).containsExactly(Phase.DEFERRED);
        assertThat(verdict(facts, "xml")).isInstanceOfSatisfying(ImportVerdict.Deferrable.class,
                d -> assertThat(d.notes()).anySatisfy(n -> assertThat(n).contains("binds `xml`").contains("rule 3")));
    }

    @Test
    void importOfDottedModuleWithAliasBindsTheSubmodule() {
        FileFacts facts = facts("""
                import xml.etree.ElementTree as ET

                def parse(text):
                    return ET.fromstring(text)
                """);
        assertThat(facts.imports()).extracting(ImportFact::module, ImportFact::bound, ImportFact::alias)
                .containsExactly(tuple("xml.etree.ElementTree", "ET", "ET"));
        assertThat(verdict(facts, "ET")).isInstanceOfSatisfying(ImportVerdict.Deferrable.class, d -> assertThat(d.notes()).isEmpty());
    }

    @Test
    void fromPackageImportSubmodule() {
        FileFacts facts = facts("""
                from scipy import signal

                def smooth(x):
                    return signal.savgol_filter(x, 5, 2)
                """);
        assertThat(facts.imports()).extracting(ImportFact::kind, ImportFact::module, ImportFact::name, ImportFact::bound)
                .containsExactly(tuple(ImportFact.Kind.FROM, "scipy", "signal", "signal"));
        assertThat(verdict(facts, "signal")).isInstanceOfSatisfying(ImportVerdict.Deferrable.class,
                d -> assertThat(d.notes()).anySatisfy(n -> assertThat(n).contains("rule 4")));
    }

    @Test
    void relativeImportsKeepTheirLevel() {
        FileFacts facts = facts("""
                from . import sibling
                from ..pkg import thing as other
                from .models import Model
                """);
        assertThat(facts.imports()).extracting(ImportFact::module, ImportFact::name, ImportFact::bound, ImportFact::level)
                .containsExactly(
                        tuple(".", "sibling", "sibling", 1),
                        tuple("..pkg", "thing", "other", 2),
                        tuple(".models", "Model", "Model", 1));
    }

    // ---------------------------------------------------------------- scoping regressions

    @Test
    void parameterOrLocalImportWithTheSameNameIsNotAUseOfTheGlobal() {
        FileFacts facts = facts("""
                import json
                import numpy as np

                def a(json):
                    return json

                def b():
                    import numpy as np
                    return np.zeros(1)

                def c():
                    return [json for json in range(3)]
                """);
        assertThat(facts.usesOf("json")).isEmpty();
        assertThat(facts.usesOf("np")).isEmpty();
        assertThat(facts.unused()).extracting(UnusedImport::bound).containsExactly("json", "np");
        assertThat(facts.imports()).filteredOn(i -> i.context() == Context.FUNCTION).extracting(ImportFact::bound).containsExactly("np");
    }

    @Test
    void globalDeclarationStillReadsTheModuleName() {
        FileFacts facts = facts("""
                import numpy as np

                def reload():
                    global np
                    np = None
                    return np
                """);
        assertThat(facts.usesOf("np")).extracting(Use::line).containsExactly(6);
    }

    @Test
    void longElifChainIsWalkedWithoutDeepRecursion() {
        StringBuilder source = new StringBuilder("import numpy as np\n\ndef dispatch(command):\n    if command == 0:\n        return 0\n");
        for (int i = 1; i < 3000; i++) {
            source.append("    elif command == %d:\n        return np.int64(%d)\n".formatted(i, i));
        }
        FileFacts facts = facts(source + "\nFIRST = dispatch(1)\n");
        assertThat(facts.parsed()).isTrue();
        assertThat(facts.usesOf("np")).hasSize(2999).extracting(Use::phase).containsOnly(Phase.IMPORT_TIME);
    }

    @Test
    void unusedImportsOfAPackageInitAreReExports() throws IOException {
        Path init = Files.createDirectories(sources.resolve("pkg")).resolve("__init__.py");
        Files.writeString(init, "from .core import Engine\n");
        FileFacts facts = runner.analyze(TestPython.command(), List.of(init), Set.of()).getFirst();
        assertThat(facts.unused()).containsExactly(new UnusedImport("Engine", 1, UnusedImport.Kept.EXPORTED));
    }

    // ---------------------------------------------------------------- heavy work at import time

    @Test
    void heavyCallsAtImportTimeAreReportedWithTheirCategory() {
        FileFacts facts = facts("""
                import json, pickle, socket, subprocess, time, urllib.request
                import joblib
                import numpy as np
                import pandas as pd
                import requests
                import grpc
                import redis
                import torch
                from transformers import AutoModel

                MODEL = AutoModel.from_pretrained("bert-base-uncased")
                WEIGHTS = torch.load("w.pt")
                CLF = joblib.load("clf.joblib")
                TABLE = pd.read_parquet("t.parquet")
                ARRAY = np.load("a.npy")
                TEXT = open("notes.txt").read()
                CONFIG = json.load(open("config.json"))
                CACHE = pickle.load(open("cache.pkl", "rb"))
                REMOTE = requests.get("http://localhost:7200/config")
                PAGE = urllib.request.urlopen("http://localhost")
                SOCK = socket.create_connection(("localhost", 6379))
                CHANNEL = grpc.insecure_channel("localhost:50051")
                STORE = redis.Redis()
                subprocess.run(["nvidia-smi"])
                time.sleep(2)
                """);
        assertThat(facts.heavyCalls()).extracting(HeavyCall::line, HeavyCall::callee, HeavyCall::resolved, HeavyCall::category)
                .containsExactly(
                        tuple(11, "AutoModel.from_pretrained", "transformers.AutoModel.from_pretrained", HeavyCall.Category.MODEL_LOAD),
                        tuple(12, "torch.load", "torch.load", HeavyCall.Category.MODEL_LOAD),
                        tuple(13, "joblib.load", "joblib.load", HeavyCall.Category.MODEL_LOAD),
                        tuple(14, "pd.read_parquet", "pandas.read_parquet", HeavyCall.Category.FILE_READ),
                        tuple(15, "np.load", "numpy.load", HeavyCall.Category.FILE_READ),
                        tuple(16, "open(...).read", "open(...).read", HeavyCall.Category.FILE_READ),
                        tuple(17, "json.load", "json.load", HeavyCall.Category.FILE_READ),
                        tuple(18, "pickle.load", "pickle.load", HeavyCall.Category.FILE_READ),
                        tuple(19, "requests.get", "requests.get", HeavyCall.Category.NETWORK),
                        tuple(20, "urllib.request.urlopen", "urllib.request.urlopen", HeavyCall.Category.NETWORK),
                        tuple(21, "socket.create_connection", "socket.create_connection", HeavyCall.Category.NETWORK),
                        tuple(22, "grpc.insecure_channel", "grpc.insecure_channel", HeavyCall.Category.NETWORK),
                        tuple(23, "redis.Redis", "redis.Redis", HeavyCall.Category.NETWORK),
                        tuple(24, "subprocess.run", "subprocess.run", HeavyCall.Category.PROCESS),
                        tuple(25, "time.sleep", "time.sleep", HeavyCall.Category.SLEEP));
        assertThat(facts.heavyCalls()).extracting(HeavyCall::phase, HeavyCall::via).containsOnly(tuple(Phase.IMPORT_TIME, "module-level statement"));
    }

    @Test
    void heavyCallsInsideFunctionsAreNotImportTime() {
        FileFacts facts = facts("""
                import time
                import torch
                from time import sleep as pause

                def load():
                    return torch.load("w.pt")

                def wait():
                    time.sleep(1)

                def warm_up():
                    pause(1)

                warm_up()
                """);
        assertThat(facts.heavyCalls()).extracting(HeavyCall::line, HeavyCall::resolved, HeavyCall::phase, HeavyCall::via)
                .containsExactly(tuple(12, "time.sleep", Phase.IMPORT_TIME, "called at module level via warm_up()"));
    }

    // ---------------------------------------------------------------- files that do not parse

    @Test
    void syntaxErrorGivesWhatCPythonReports() throws Exception {
        String source = """
                import os

                def broken(:
                    pass
                """;
        FileFacts facts = facts(source);
        assertThat(facts.parsed()).isFalse();
        assertThat(facts.error().kind()).isEqualTo(ParseError.Kind.SYNTAX);
        assertThat(facts.imports()).isEmpty();
        // Compare with the interpreter itself: messages and offsets differ between Python versions.
        Path file = sources.resolve("reference.py");
        Files.writeString(file, source);
        Process p = new ProcessBuilder(TestPython.command(), "-c", """
                import sys
                try:
                    compile(open(sys.argv[1]).read(), sys.argv[1], "exec")
                except SyntaxError as e:
                    print(e.lineno, e.offset, e.msg, sep="|")
                """, file.toString()).redirectErrorStream(true).start();
        String[] reported = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().split("\\|", 3);
        assertThat(Await.exit(p, Duration.ofSeconds(60))).isZero();
        assertThat(facts.error().line()).isEqualTo(3).isEqualTo(Integer.parseInt(reported[0]));
        assertThat(facts.error().column()).isEqualTo(Integer.parseInt(reported[1]));
        assertThat(facts.error().message()).isEqualTo(reported[2]);
    }

    @Test
    void undecodableFileIsUnreadableNotACrash() throws IOException {
        byte[] bytes = "import os\nname = 'caf\u00e9'\n".getBytes(StandardCharsets.ISO_8859_1);
        Path file = sources.resolve("latin1.py");
        Files.write(file, bytes);
        Path declared = sources.resolve("declared.py");
        Files.write(declared, ("# -*- coding: latin-1 -*-\n" + "import os\nname = 'caf\u00e9'\n").getBytes(StandardCharsets.ISO_8859_1));
        List<FileFacts> facts = runner.analyze(TestPython.command(), List.of(file, declared), Set.of());
        assertThat(facts.get(0).error()).satisfies(e -> {
            assertThat(e.kind()).isEqualTo(ParseError.Kind.UNREADABLE);
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.column()).isEqualTo(11);
            assertThat(e.message()).contains("0xe9").contains("coding");
        });
        assertThat(facts.get(0).sha256()).hasSize(64);
        assertThat(facts.get(1).parsed()).isTrue();
        assertThat(facts.get(1).imports()).extracting(ImportFact::bound).containsExactly("os");
    }

    @Test
    void emptyFileHasNoFacts() {
        FileFacts facts = facts("");
        assertThat(facts.parsed()).isTrue();
        assertThat(facts.sha256()).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(facts.imports()).isEmpty();
        assertThat(facts.uses()).isEmpty();
        assertThat(DeferrableImports.classify(facts)).isEmpty();
    }

    @Test
    void missingFileIsUnreadable() {
        FileFacts facts = runner.analyze(TestPython.command(), List.of(sources.resolve("gone.py")), Set.of()).getFirst();
        assertThat(facts.error().kind()).isEqualTo(ParseError.Kind.UNREADABLE);
        assertThat(facts.sha256()).isNull();
    }

    // ---------------------------------------------------------------- helpers

    private int counter;

    private FileFacts facts(String source) {
        try {
            Path file = sources.resolve("agent_" + (++counter) + ".py");
            Files.writeString(file, source);
            return runner.analyze(TestPython.command(), List.of(file), PythonFacts.DEFAULT_SIDE_EFFECT_MODULES).getFirst();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ImportVerdict verdict(FileFacts facts, String bound) {
        return DeferrableImports.verdictFor(facts, bound).orElseThrow(() -> new AssertionError("no module-level import binds " + bound));
    }

    private static void assertDeferrable(FileFacts facts, String bound) {
        assertThat(verdict(facts, bound)).isInstanceOf(ImportVerdict.Deferrable.class);
    }

    private static void assertEager(FileFacts facts, String bound, Class<? extends EagerReason> reason) {
        assertThat(verdict(facts, bound)).isInstanceOfSatisfying(ImportVerdict.MustStayEager.class,
                e -> assertThat(e.reason()).isInstanceOf(reason));
    }
}
