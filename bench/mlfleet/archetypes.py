"""Agent shapes of the B1 fleet, each modelled on an ML agent seen in real fleets.

An archetype is the import block, the body (which ends in `handle_run(params)`, the `/run` handler),
a sample `/run` query and self-test methods. The self-tests check the agent's answers against an
independent standard-library computation, and use the agent's module globals the way real tests do
(`mock.patch("agent.requests.get")`, `agent.np.testing`), which a rewrite must keep working.

`needs` lists the third-party packages an archetype imports; archetypes without any are the
standard-library agents that smoke mode uses when the Debian packages are not installed.
`shape` says which import shapes and traps (numbers as in LAZY_IMPORTS.md and the demo README) it holds.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Archetype:
    key: str
    names: tuple
    needs: tuple
    shape: str
    imports: str
    body: str
    sample: str
    tests: str


ARCHETYPES = []


def archetype(**kw):
    ARCHETYPES.append(Archetype(**kw))


# Every body may use _floats(params), added to each agent by the generator.
FLOATS_HELPER = '''

def _floats(params, default, minimum=2):
    raw = params.get("x", default)
    try:
        values = [float(v) for v in raw.split(",") if v.strip()]
    except ValueError:
        raise ValueError("x must be comma-separated numbers, got %r" % raw)
    if len(values) < minimum:
        raise ValueError("x needs at least %d numbers" % minimum)
    return values
'''

archetype(
    key="signal_denoise", names=("SensorDenoiser", "AudioCleanupAgent", "VibrationFilter"),
    needs=("numpy", "scipy"),
    shape="`from scipy import signal` (submodule) and numpy, both used only in functions: all deferrable",
    imports="import json\nimport numpy as np\nfrom scipy import signal\n",
    body='''

def denoise(values, window=3):
    arr = np.asarray(values, dtype=float)
    return [round(float(v), 6) for v in signal.medfilt(arr, kernel_size=window)]


def handle_run(params):
    values = _floats(params, "1,3,2,5,4,6,5,8,7,9", minimum=3)
    return {"agent": AGENT_NAME, "denoised": denoise(values), "mean": round(float(np.mean(values)), 6),
            "raw": json.dumps(values)}
''',
    sample="x=1,3,2,5,4,6,5,8,7,9",
    tests='''
    def test_median_filter_matches_a_hand_computed_one(self):
        values = [4.0, 1.0, 9.0, 2.0, 7.0, 3.0]
        padded = [0.0] + values + [0.0]
        expected = [statistics.median(padded[i:i + 3]) for i in range(len(values))]
        answer = agent.handle_run({"x": ",".join(map(str, values))})
        self.assertEqual(answer["denoised"], expected)
        self.assertAlmostEqual(answer["mean"], statistics.mean(values), places=6)

    def test_bad_input_is_a_value_error(self):
        with self.assertRaises(ValueError):
            agent.handle_run({"x": "1,a"})
''')

archetype(
    key="tabular_summary", names=("FleetTelemetrySummarizer", "CostReportAgent", "UsageAggregator"),
    needs=("numpy", "pandas"),
    shape="pandas and numpy used only in functions: deferrable (pandas is the costliest import of the fleet)",
    imports="import numpy as np\nimport pandas as pd\n",
    body='''

def summarize(rows):
    frame = pd.DataFrame({"kind": [k for k, _ in rows], "value": [v for _, v in rows]})
    grouped = frame.groupby("kind")["value"].agg(["sum", "mean", "count"])
    return {kind: {"sum": round(float(row["sum"]), 6), "mean": round(float(row["mean"]), 6),
                   "count": int(row["count"])} for kind, row in grouped.iterrows()}


def handle_run(params):
    raw = params.get("x", "cpu:3,gpu:5,cpu:7,gpu:1,io:4")
    try:
        rows = [(k, float(v)) for k, v in (item.split(":") for item in raw.split(","))]
    except ValueError:
        raise ValueError("x must be kind:value pairs, got %r" % raw)
    values = np.array([v for _, v in rows])
    return {"agent": AGENT_NAME, "summary": summarize(rows), "p90": round(float(np.percentile(values, 90)), 6)}
''',
    sample="x=cpu:3,gpu:5,cpu:7,gpu:1,io:4",
    tests='''
    def test_sums_means_and_p90(self):
        rows = [("a", 2.0), ("b", 5.0), ("a", 4.0), ("c", 1.0), ("b", 3.0)]
        answer = agent.handle_run({"x": ",".join("%s:%s" % r for r in rows)})
        for kind in "abc":
            vals = [v for k, v in rows if k == kind]
            self.assertEqual(answer["summary"][kind]["count"], len(vals))
            self.assertAlmostEqual(answer["summary"][kind]["sum"], sum(vals))
            self.assertAlmostEqual(answer["summary"][kind]["mean"], statistics.mean(vals))
        p90 = statistics.quantiles([v for _, v in rows], n=10, method="inclusive")[8]
        self.assertAlmostEqual(answer["p90"], p90, places=6)

    def test_frame_type_is_pandas(self):
        frame = agent.pd.DataFrame({"kind": ["x"], "value": [1.0]})
        self.assertEqual(list(frame.columns), ["kind", "value"])
''')

archetype(
    key="feature_scaler", names=("FeatureScalerAgent", "EmbeddingNormalizer", "InputPreprocessor"),
    needs=("numpy", "sklearn"),
    shape="`from sklearn import preprocessing` (submodule) and numpy, used only in functions: deferrable",
    imports="import numpy as np\nfrom sklearn import preprocessing\n",
    body='''

def scale(values):
    column = np.asarray(values, dtype=float).reshape(-1, 1)
    standard = preprocessing.StandardScaler().fit_transform(column).ravel()
    minmax = preprocessing.MinMaxScaler().fit_transform(column).ravel()
    return [round(float(v), 6) for v in standard], [round(float(v), 6) for v in minmax]


def handle_run(params):
    values = _floats(params, "3,9,1,7,5")
    standard, minmax = scale(values)
    return {"agent": AGENT_NAME, "standard": standard, "minmax": minmax}
''',
    sample="x=3,9,1,7,5",
    tests='''
    def test_scalers_match_their_definitions(self):
        values = [2.0, 8.0, 4.0, 6.0]
        answer = agent.handle_run({"x": "2,8,4,6"})
        mean, sd = statistics.mean(values), statistics.pstdev(values)
        for got, v in zip(answer["standard"], values):
            self.assertAlmostEqual(got, (v - mean) / sd, places=5)
        lo, hi = min(values), max(values)
        self.assertEqual(answer["minmax"], [round((v - lo) / (hi - lo), 6) for v in values])
''')

archetype(
    key="chart_renderer", names=("ChartRenderer", "DashboardSnapshotAgent", "LossCurvePlotter"),
    needs=("numpy", "matplotlib"),
    shape='`matplotlib.use("Agg")` before `import matplotlib.pyplot as plt`: backend selection is a '
          'side effect at import time (matplotlib eager); pyplot and numpy used only in functions',
    imports='import io\nimport matplotlib\nmatplotlib.use("Agg")\nimport matplotlib.pyplot as plt\nimport numpy as np\n',
    body='''

def render(values):
    fig, ax = plt.subplots(figsize=(2, 1.5), dpi=40)
    ax.plot(np.arange(len(values)), values)
    ax.set_ylim(min(values), max(values))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    data = buffer.getvalue()
    return {"png_magic": data[:8].hex(), "ylim": [float(v) for v in ax.get_ylim()], "points": len(values)}


def handle_run(params):
    values = _floats(params, "0.9,0.7,0.55,0.4,0.38,0.31")
    return {"agent": AGENT_NAME, "backend": matplotlib.get_backend().lower(), "chart": render(values)}
''',
    sample="x=0.9,0.7,0.55,0.4,0.38,0.31",
    tests='''
    def test_renders_a_png_on_the_agg_backend(self):
        answer = agent.handle_run({"x": "3,1,2"})
        self.assertEqual(answer["backend"], "agg")
        self.assertEqual(answer["chart"]["png_magic"], "89504e470d0a1a0a")
        self.assertEqual(answer["chart"]["ylim"], [1.0, 3.0])
''')

archetype(
    key="http_client", names=("ModelRegistryClient", "WebhookNotifier", "HealthProber"),
    needs=("requests", "yaml"),
    shape="trap 4: `DEFAULTS = yaml.safe_load(...)` module-level constant (yaml eager); requests used only in "
          "functions (deferrable), patched by the self-test through `agent.requests.get`",
    imports="import requests\nimport yaml\n",
    body='''
DEFAULTS = yaml.safe_load("""
endpoint: http://127.0.0.1:9/status
timeout_seconds: 0.5
user_agent: fleet-agent/2
""")


def prepared(target):
    request = requests.Request("GET", DEFAULTS["endpoint"], params={"target": target},
                               headers={"User-Agent": DEFAULTS["user_agent"]})
    return requests.Session().prepare_request(request)


def probe(target):
    try:
        return requests.get(prepared(target).url, timeout=DEFAULTS["timeout_seconds"]).status_code
    except requests.RequestException as exc:
        return type(exc).__name__


def handle_run(params):
    target = params.get("x", "TutorAgent")
    if not target.isidentifier():
        raise ValueError("x must be an agent name")
    request = prepared(target)
    return {"agent": AGENT_NAME, "url": request.url, "method": request.method,
            "user_agent": request.headers["User-Agent"], "status": probe(target)}
''',
    sample="x=TutorAgent",
    tests='''
    def test_request_is_prepared_from_the_yaml_defaults(self):
        answer = agent.handle_run({"x": "Scheduler"})
        self.assertEqual(answer["url"], "http://127.0.0.1:9/status?target=Scheduler")
        self.assertEqual(answer["user_agent"], "fleet-agent/2")

    def test_status_comes_from_requests_get(self):
        with mock.patch("%s.requests.get" % agent.__name__) as get:
            get.return_value.status_code = 204
            self.assertEqual(agent.handle_run({"x": "Scheduler"})["status"], 204)
''')

archetype(
    key="regressor", names=("LatencyPredictor", "CapacityForecaster", "DemandRegressor"),
    needs=("numpy", "sklearn"),
    shape="`from sklearn.linear_model import LinearRegression` (an attribute: stays eager before 3.15); "
          "numpy used only in functions but sklearn imports it anyway (deferring it gains nothing)",
    imports="import numpy as np\nfrom sklearn.linear_model import LinearRegression\n",
    body='''

def fit(xs, ys):
    model = LinearRegression().fit(np.asarray(xs).reshape(-1, 1), np.asarray(ys))
    return round(float(model.coef_[0]), 6), round(float(model.intercept_), 6)


def handle_run(params):
    ys = _floats(params, "12,15,21,24,30", minimum=2)
    slope, intercept = fit(list(range(len(ys))), ys)
    return {"agent": AGENT_NAME, "slope": slope, "intercept": intercept,
            "next": round(slope * len(ys) + intercept, 6)}
''',
    sample="x=12,15,21,24,30",
    tests='''
    def test_fit_matches_least_squares(self):
        ys = [3.0, 5.0, 4.0, 8.0]
        answer = agent.handle_run({"x": "3,5,4,8"})
        fit = statistics.linear_regression(range(len(ys)), ys)
        self.assertAlmostEqual(answer["slope"], fit.slope, places=5)
        self.assertAlmostEqual(answer["intercept"], fit.intercept, places=5)
''')

archetype(
    key="spectral", names=("SpectralAnalyzer", "PitchDetector", "PeriodicityFinder"),
    needs=("numpy", "scipy"),
    shape="`import scipy.fft` (import a.b.c) and `import numpy.linalg as la` (import a.b.c as x), both only in functions",
    imports="import math\nimport numpy.linalg as la\nimport scipy.fft\n",
    body='''

def spectrum(values):
    return [round(abs(complex(c)), 6) for c in scipy.fft.rfft(values)]


def handle_run(params):
    values = _floats(params, "0,1,0,-1,0,1,0,-1", minimum=4)
    mags = spectrum(values)
    peak = max(range(1, len(mags)), key=lambda k: (mags[k], -k))
    return {"agent": AGENT_NAME, "magnitudes": mags, "peak_bin": peak,
            "energy": round(float(la.norm(values)), 6), "period": round(len(values) / peak, 6) if peak else math.inf}
''',
    sample="x=0,1,0,-1,0,1,0,-1",
    tests='''
    def test_magnitudes_match_a_direct_dft(self):
        values = [1.0, 2.0, 0.0, -1.0, 3.0, 0.5]
        n = len(values)
        direct = [abs(sum(v * cmath.exp(-2j * math.pi * k * t / n) for t, v in enumerate(values)))
                  for k in range(n // 2 + 1)]
        answer = agent.handle_run({"x": ",".join(map(str, values))})
        for got, want in zip(answer["magnitudes"], direct):
            self.assertAlmostEqual(got, want, places=5)
        self.assertAlmostEqual(answer["energy"], math.sqrt(sum(v * v for v in values)), places=5)

    def test_period_of_a_square_wave(self):
        self.assertEqual(agent.handle_run({"x": "0,1,0,-1,0,1,0,-1"})["period"], 4.0)
''')

archetype(
    key="decorator_trap", names=("AnomalyScorer", "OutlierClipper", "ConfidenceCalibrator"),
    needs=("numpy", "scipy"),
    shape="trap 1: `@np.vectorize` decorator at module level (numpy eager); `from scipy import stats` only in functions",
    imports="import numpy as np\nfrom scipy import stats\n",
    body='''

@np.vectorize
def clip_unit(value):
    return min(1.0, max(0.0, value))


def handle_run(params):
    values = _floats(params, "0.2,0.4,1.7,0.5,-0.3,0.45", minimum=3)
    scores = stats.zscore(values)
    return {"agent": AGENT_NAME, "z": [round(float(z), 6) for z in scores],
            "clipped": [float(v) for v in clip_unit(values)],
            "outliers": [i for i, z in enumerate(scores) if abs(z) > 1.5]}
''',
    sample="x=0.2,0.4,1.7,0.5,-0.3,0.45",
    tests='''
    def test_zscores_and_clipping(self):
        values = [0.2, 0.4, 1.7, 0.5, -0.3, 0.45]
        answer = agent.handle_run({"x": "0.2,0.4,1.7,0.5,-0.3,0.45"})
        mean, sd = statistics.mean(values), statistics.pstdev(values)
        for got, v in zip(answer["z"], values):
            self.assertAlmostEqual(got, (v - mean) / sd, places=5)
        self.assertEqual(answer["clipped"], [min(1.0, max(0.0, v)) for v in values])
        self.assertEqual(answer["outliers"], [2])
''')

archetype(
    key="default_arg_trap", names=("RollingStatsAgent", "TrendSmoother", "QueueDepthMonitor"),
    needs=("numpy", "pandas"),
    shape="trap 2: `def rolling(values, window=3, reducer=np.mean)` default argument (numpy eager); "
          "pandas only in functions (deferrable, the big gain)",
    imports="import numpy as np\nimport pandas as pd\n",
    body='''

def rolling(values, window=3, reducer=np.mean):
    series = pd.Series(values, dtype=float).rolling(window).apply(reducer, raw=True)
    return [None if v != v else round(float(v), 6) for v in series]


def handle_run(params):
    values = _floats(params, "4,8,6,10,12,9", minimum=3)
    return {"agent": AGENT_NAME, "rolling_mean": rolling(values), "rolling_max": rolling(values, reducer=np.max)}
''',
    sample="x=4,8,6,10,12,9",
    tests='''
    def test_rolling_windows(self):
        values = [4.0, 8.0, 6.0, 10.0, 12.0]
        answer = agent.handle_run({"x": "4,8,6,10,12"})
        self.assertEqual(answer["rolling_mean"][:2], [None, None])
        for i in range(2, len(values)):
            self.assertAlmostEqual(answer["rolling_mean"][i], statistics.mean(values[i - 2:i + 1]), places=6)
            self.assertEqual(answer["rolling_max"][i], max(values[i - 2:i + 1]))
''')

archetype(
    key="base_class_trap", names=("ThresholdClassifierAgent", "IntentGate", "SpamFilterAgent"),
    needs=("numpy", "pandas", "sklearn"),
    shape="trap 3: `class ThresholdClassifier(sklearn.base.BaseEstimator, ...)` base class (sklearn.base eager); "
          "pandas only in functions (deferrable)",
    imports="import numpy as np\nimport pandas as pd\nimport sklearn.base\n",
    body='''

class ThresholdClassifier(sklearn.base.BaseEstimator, sklearn.base.ClassifierMixin):
    def __init__(self, threshold=0.5):
        self.threshold = threshold

    def fit(self, X, y=None):
        self.classes_ = np.array([0, 1])
        return self

    def predict(self, X):
        return (np.asarray(X, dtype=float)[:, 0] > self.threshold).astype(int)


def handle_run(params):
    values = _floats(params, "0.1,0.7,0.4,0.9,0.55")
    frame = pd.DataFrame({"score": values})
    model = ThresholdClassifier(threshold=float(params.get("threshold", "0.5"))).fit(frame)
    return {"agent": AGENT_NAME, "labels": [int(v) for v in model.predict(frame)], "params": model.get_params()}
''',
    sample="x=0.1,0.7,0.4,0.9,0.55",
    tests='''
    def test_labels_follow_the_threshold(self):
        answer = agent.handle_run({"x": "0.1,0.7,0.4,0.9", "threshold": "0.5"})
        self.assertEqual(answer["labels"], [0, 1, 0, 1])
        self.assertEqual(answer["params"], {"threshold": 0.5})
''')

archetype(
    key="module_call_trap", names=("WindowedFeatureAgent", "BeamformerAgent", "EnvelopeExtractor"),
    needs=("numpy", "scipy", "yaml"),
    shape="trap 5: `WINDOW = _make_window(8)` calls a function using `signal.windows` while the module loads "
          "(scipy.signal eager); numpy only in functions (scipy imports it anyway); yaml only in functions",
    imports="import numpy as np\nimport yaml\nfrom scipy import signal\n",
    body='''

def _make_window(n):
    return signal.windows.hann(n)


WINDOW = _make_window(8)


def handle_run(params):
    values = _floats(params, "1,2,3,4,5,6,7,8", minimum=8)[:8]
    weighted = np.asarray(values) * WINDOW
    report = {"weighted": [round(float(v), 6) for v in weighted], "total": round(float(weighted.sum()), 6)}
    return {"agent": AGENT_NAME, "report": report, "yaml": yaml.safe_dump(report, sort_keys=True)}
''',
    sample="x=1,2,3,4,5,6,7,8",
    tests='''
    def test_hann_weights(self):
        values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
        hann = [0.5 - 0.5 * math.cos(2 * math.pi * k / 7) for k in range(8)]
        answer = agent.handle_run({"x": "1,2,3,4,5,6,7,8"})
        for got, v, w in zip(answer["report"]["weighted"], values, hann):
            self.assertAlmostEqual(got, v * w, places=5)
        self.assertIn("total:", answer["yaml"])
''')

archetype(
    key="try_fallback", names=("HyperparamTuner", "PortableOptimizer", "CalibrationSolver"),
    needs=("numpy", "scipy", "yaml"),
    shape="trap 6: `try: import yaml / from scipy import optimize` with `except ImportError` fallbacks (must stay "
          "eager); numpy only in functions",
    imports="import json\n\ntry:\n    import yaml\nexcept ImportError:  # JSON configs still work without PyYAML\n"
            "    yaml = None\ntry:\n    from scipy import optimize\nexcept ImportError:  # a slower search without SciPy\n"
            "    optimize = None\nimport numpy as np\n",
    body='''

def _golden(f, lo, hi, steps=80):
    g = (5 ** 0.5 - 1) / 2
    for _ in range(steps):
        a, b = hi - g * (hi - lo), lo + g * (hi - lo)
        lo, hi = (lo, b) if f(a) < f(b) else (a, hi)
    return (lo + hi) / 2


def tune(center, width):
    f = lambda lr: float(np.square(lr - center)) + width
    if optimize is not None:
        best = optimize.minimize_scalar(f, bounds=(center - 10, center + 10), method="bounded").x
    else:
        best = _golden(f, center - 10, center + 10)
    return round(float(best), 4), round(f(best), 4)


def handle_run(params):
    raw = params.get("x", "{center: 0.3, width: 0.01}")
    spec = yaml.safe_load(raw) if yaml is not None else json.loads(raw)
    if not isinstance(spec, dict) or "center" not in spec:
        raise ValueError("x must be a mapping with a center, got %r" % raw)
    best, loss = tune(float(spec["center"]), float(spec.get("width", 0.0)))
    return {"agent": AGENT_NAME, "best": best, "loss": loss, "solver": "scipy" if optimize else "golden"}
''',
    sample="x=%7Bcenter%3A+0.3%2C+width%3A+0.01%7D",
    tests='''
    def test_minimum_of_the_parabola(self):
        answer = agent.handle_run({"x": "{center: 1.25, width: 0.5}"})
        self.assertAlmostEqual(answer["best"], 1.25, places=3)
        self.assertAlmostEqual(answer["loss"], 0.5, places=3)
        self.assertEqual(answer["solver"], "scipy")
''')

archetype(
    key="side_effect_import", names=("MissingValueImputer", "SensorGapFiller", "RecordRepairAgent"),
    needs=("numpy", "sklearn"),
    shape="trap 7: `from sklearn.experimental import enable_iterative_imputer  # noqa: F401` side-effect import "
          "(registers IterativeImputer; name never used: must stay); numpy only in functions",
    imports="import numpy as np\nfrom sklearn.experimental import enable_iterative_imputer  # noqa: F401\n",
    body='''

def impute(rows):
    from sklearn.impute import IterativeImputer
    filled = IterativeImputer(random_state=0).fit_transform(np.asarray(rows, dtype=float))
    return [[round(float(v), 3) for v in row] for row in filled]


def handle_run(params):
    raw = params.get("x", "1:2,2:4,3:6,nan:8")
    try:
        rows = [[float(v) for v in item.split(":")] for item in raw.split(",")]
    except ValueError:
        raise ValueError("x must be a:b pairs (nan for a gap), got %r" % raw)
    return {"agent": AGENT_NAME, "filled": impute(rows)}
''',
    sample="x=1:2,2:4,3:6,nan:8",
    tests='''
    def test_gap_on_a_line_is_filled_from_the_line(self):
        answer = agent.handle_run({"x": "1:2,2:4,3:6,nan:8"})
        self.assertEqual(answer["filled"][:3], [[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])
        self.assertAlmostEqual(answer["filled"][3][0], 4.0, delta=0.05)
''')

archetype(
    key="reexport_annotations", names=("MetricsExporter", "QuantileReporter", "ReportingAgent"),
    needs=("numpy", "pandas"),
    shape="trap 11/12: `from numpy import percentile` unused here but re-exported in `__all__` (keep); "
          "`pd` used only in string annotations and one function (deferrable, not dead)",
    imports="import typing\nimport pandas as pd\nfrom numpy import percentile\n",
    body='''
__all__ = ["handle_run", "percentile", "to_frame"]


def to_frame(values: "list[float]") -> "pd.DataFrame":
    return pd.DataFrame({"value": values})


def describe(frame: "pd.DataFrame") -> "dict[str, float]":
    stats = frame["value"].describe()
    return {k: round(float(stats[k]), 6) for k in ("count", "mean", "min", "max")}


def handle_run(params):
    values = _floats(params, "5,1,4,2,3")
    return {"agent": AGENT_NAME, "describe": describe(to_frame(values)),
            "hints": sorted(typing.get_type_hints(describe))}
''',
    sample="x=5,1,4,2,3",
    tests='''
    def test_describe_and_reexport(self):
        answer = agent.handle_run({"x": "5,1,4,2,3"})
        self.assertEqual(answer["describe"], {"count": 5.0, "mean": 3.0, "min": 1.0, "max": 5.0})
        self.assertEqual(answer["hints"], ["frame", "return"])
        self.assertEqual(float(agent.percentile([1, 2, 3], 50)), 2.0)
''')

archetype(
    key="dead_heavy", names=("LegacyBridge", "ConfigSyncAgent", "ArtifactUploader"),
    needs=("pandas", "scipy", "requests"),
    shape="trap 11: dead heavy imports (`import pandas as pd`, `import scipy.stats` left over from an old version): "
          "dependency_reduction removes them; requests only in functions",
    imports="import hashlib\nimport pandas as pd\nimport requests\nimport scipy.stats\n",
    body='''

def upload_request(name, payload):
    digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
    request = requests.Request("PUT", "http://127.0.0.1:9/artifacts/" + name, data=payload,
                               headers={"X-Checksum": digest})
    return requests.Session().prepare_request(request)


def handle_run(params):
    name = params.get("x", "model-v3")
    if "/" in name or not name:
        raise ValueError("x must be an artifact name")
    prepared = upload_request(name, "weights:" + name)
    return {"agent": AGENT_NAME, "url": prepared.url, "checksum": prepared.headers["X-Checksum"],
            "length": int(prepared.headers["Content-Length"])}
''',
    sample="x=model-v3",
    tests='''
    def test_upload_is_prepared_with_a_checksum(self):
        answer = agent.handle_run({"x": "m1"})
        self.assertEqual(answer["url"], "http://127.0.0.1:9/artifacts/m1")
        self.assertEqual(answer["checksum"], hashlib.sha256(b"weights:m1").hexdigest())
        self.assertEqual(answer["length"], len("weights:m1"))
''')

archetype(
    key="registration_call", names=("ExperimentTracker", "RunLogger", "SweepReporter"),
    needs=("yaml", "matplotlib", "numpy"),
    shape="`yaml.add_representer(...)` registration at module level (yaml eager); "
          "`import matplotlib.pyplot as plt` without backend selection, used only in functions (deferrable)",
    imports="import decimal\nimport matplotlib.pyplot as plt\nimport numpy as np\nimport yaml\n",
    body='''


def _decimal_representer(dumper, value):
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value))


yaml.add_representer(decimal.Decimal, _decimal_representer, Dumper=yaml.SafeDumper)


def best_run(losses):
    fig = plt.figure(figsize=(1, 1), dpi=20)
    plt.close(fig)
    return int(np.argmin(losses))


def handle_run(params):
    losses = _floats(params, "0.9,0.42,0.37,0.51")
    best = best_run(losses)
    record = {"run": best, "loss": decimal.Decimal(str(losses[best]))}
    return {"agent": AGENT_NAME, "best": best, "record": yaml.safe_dump(record, sort_keys=True)}
''',
    sample="x=0.9,0.42,0.37,0.51",
    tests='''
    def test_best_run_and_decimal_as_string(self):
        answer = agent.handle_run({"x": "0.9,0.42,0.37,0.51"})
        self.assertEqual(answer["best"], 2)
        self.assertEqual(answer["record"], "loss: '0.37'\\nrun: 2\\n")
''')

# Standard-library agents: a real fleet has them too, and smoke mode uses them when the Debian packages
# are missing. Their slow imports are the demo fleet's.

archetype(
    key="stdlib_mail", names=("AlertMailer", "DigestComposer", "IncidentNotifier"),
    needs=(),
    shape="stdlib: `import email.mime.text as mimetext` (a.b.c as x) and `from xmlrpc import client` (submodule) "
          "only in functions; `import smtplib` dead; trap 4 `CHARSET = email.charset.Charset(...)` keeps email eager",
    imports="import email.charset\nimport email.mime.text as mimetext\nimport smtplib\nfrom xmlrpc import client\n",
    body='''
CHARSET = email.charset.Charset("utf-8")


def compose(subject, body):
    message = mimetext.MIMEText(body, "plain", CHARSET.output_charset)
    message["Subject"] = subject
    return message


def handle_run(params):
    subject = params.get("x", "disk almost full")
    if len(subject) > 200:
        raise ValueError("x is too long")
    message = compose(subject, "Alert: " + subject)
    call = client.dumps((subject,), methodname="alerts.raise")
    return {"agent": AGENT_NAME, "subject": message["Subject"], "content_type": message.get_content_type(),
            "xmlrpc_bytes": len(call)}
''',
    sample="x=disk+almost+full",
    tests='''
    def test_message_and_call(self):
        answer = agent.handle_run({"x": "cpu hot"})
        self.assertEqual(answer["subject"], "cpu hot")
        self.assertEqual(answer["content_type"], "text/plain")
        self.assertGreater(answer["xmlrpc_bytes"], 50)
''')

archetype(
    key="stdlib_async", names=("AsyncJobRunner", "BatchScheduler", "PrefetchWorker"),
    needs=(),
    shape="stdlib: asyncio and `import concurrent.futures` only in functions (deferrable); "
          "`import ssl` only in a string annotation (trap 12: not dead)",
    imports="import asyncio\nimport concurrent.futures\nimport ssl\nimport typing\n",
    body='''

def _square(n):
    return n * n


async def _gather(numbers, tls: "ssl.SSLContext | None" = None):
    loop = asyncio.get_running_loop()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        return await asyncio.gather(*(loop.run_in_executor(pool, _square, n) for n in numbers))


def handle_run(params):
    numbers = [int(v) for v in _floats(params, "1,2,3,4")]
    return {"agent": AGENT_NAME, "squares": asyncio.run(_gather(numbers)),
            "hints": sorted(typing.get_type_hints(_gather))}
''',
    sample="x=1,2,3,4",
    tests='''
    def test_squares_in_order(self):
        answer = agent.handle_run({"x": "3,1,2"})
        self.assertEqual(answer["squares"], [9, 1, 4])
        self.assertEqual(answer["hints"], ["tls"])
''')

archetype(
    key="stdlib_report", names=("ChangelogDiffer", "PolicyReviewer", "PromptAuditor"),
    needs=(),
    shape="stdlib: trap 2 `matcher=difflib.SequenceMatcher` default (difflib eager); trap 1 "
          "`@functools.lru_cache` decorator; `import logging.config` only in functions; `import xml.dom.minidom` dead",
    imports="import difflib\nimport functools\nimport logging.config\nimport xml.dom.minidom\n",
    body='''

@functools.lru_cache(maxsize=64)
def _words(text):
    return tuple(text.split())


def similarity(a, b, matcher=difflib.SequenceMatcher):
    return round(matcher(None, _words(a), _words(b)).ratio(), 6)


def handle_run(params):
    text = params.get("x", "the agent starts fast")
    logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
    return {"agent": AGENT_NAME, "similarity": similarity(text, "the agent starts slowly")}
''',
    sample="x=the+agent+starts+fast",
    tests='''
    def test_similarity(self):
        answer = agent.handle_run({"x": "the agent starts slowly"})
        self.assertEqual(answer["similarity"], 1.0)
        self.assertEqual(agent.handle_run({"x": "a b"})["similarity"], 0.0)
''')

archetype(
    key="stdlib_web", names=("LinkHarvester", "DocsIndexer", "FeedReader"),
    needs=(),
    shape="stdlib: trap 3 `class LinkParser(html.parser.HTMLParser)` (html.parser eager); "
          "trap 6 `try: import tomllib / except ImportError`; `import urllib.request` only in functions",
    imports="import html.parser\nimport urllib.request\n\ntry:\n    import tomllib\nexcept ImportError:  # Python < 3.11\n"
            "    tomllib = None\n",
    body='''

class LinkParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.extend(v for k, v in attrs if k == "href")


def handle_run(params):
    page = params.get("x", '<a href="/a">a</a><a href="/b">b</a>')
    parser = LinkParser()
    parser.feed(page)
    request = urllib.request.Request("http://127.0.0.1:9" + (parser.links[0] if parser.links else "/"))
    limits = tomllib.loads("max_links = 10") if tomllib else {"max_links": 10}
    return {"agent": AGENT_NAME, "links": parser.links[:limits["max_links"]], "first": request.full_url}
''',
    sample="x=%3Ca+href%3D%22%2Fa%22%3Ea%3C%2Fa%3E",
    tests='''
    def test_links(self):
        answer = agent.handle_run({"x": '<p><a href="/x">x</a><a href="/y">y</a></p>'})
        self.assertEqual(answer["links"], ["/x", "/y"])
        self.assertEqual(answer["first"], "http://127.0.0.1:9/x")
''')
