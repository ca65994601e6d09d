"""Static facts about Python agent sources, for fleetshell's import analysis.

Run as ``PYTHON agent_facts.py`` with a JSON request on stdin::

    {"files": ["/abs/a.py", ...], "side_effect_modules": ["readline", ...], "sources": [null | base64, ...]}

``sources`` (optional, one per file) gives a file's bytes instead of reading it: a rewrite analyzed as if it stood at
that path (its own modules found beside it), without being written anywhere. ``module_kinds`` (optional)::

    {"program": "<module_kinds.py>", "python": "/usr/bin/python3", "directory": "/srv/fleet", "environment": {...},
     "timeout": 60}

asks what each module-level import target of the first file loads: the program runs as a child of this process
(``python -c PROGRAM SCRIPT_DIR TARGET...`` in that directory, this environment plus the given one) and its answer is
the document's ``module_kinds`` (null when it failed): one process on the agent's machine for both questions.

``"python"`` may be left out: the child then runs with this interpreter (``sys.executable``), which a caller starts
the way the agents start (in the fleet root, with the machine's environment) when it wants both answers from one process.

and read one JSON document from stdout::

    {"python": "3.11.7", "executable": "/usr/bin/python3.11", "files": [{...facts of one file...}, ...]}

``executable`` is this interpreter's ``sys.executable`` when it is an absolute path to a file this user may run, else
empty: a caller that started the interpreter by name learns what the name resolved to without asking again.

One interpreter handles the whole batch; each file is parsed once with ``ast.parse`` and walked
once, so the cost stays close to parsing alone. The facts answer one question for every
module-level import: is its name used while the module body runs (LAZY_IMPORTS.md rule 1)?

Facts of one file (the Java records in io.fleetshell.engine.python.analysis mirror them):

    path, sha256, error: null | {kind: syntax|unreadable|internal, line, column, message}
    imports: one per bound name of every import statement, in source order:
        kind: import|from, module ("." prefixes for relative), name, bound, alias, level,
        span: {line, column, end_line, end_column}, statement_names,
        context: module|try|function|class|if|with|loop, enclosing: [contexts, outermost first],
        try_handlers, try_part: body|handler|else|finally, type_checking, main_block,
        star, future, noqa, side_effect
        (null, false and empty values are left out of import facts: absent means that default)
    uses: {bound name of a module-level import: [{line, column, phase, via}]}, phase one of
        import_time|deferred|main|annotation_string|annotation_deferred|export|getattr
    unused: [{bound, line, kept: null|exported|string_annotation|getattr|noqa|side_effect}]
    heavy_calls: [{line, column, callee, resolved, category, phase, via}], category one of
        model_load|file_read|network|process|sleep, phase import_time|main
    sys_path_changes: [{line, column, change, phase}]
    defines_getattr, has_main_block, future_annotations
    work: {startup: [...], hooks: [...], functions: [...]} for async_initialization and cache_optimization
        (see WorkFacts below and the Java record WorkFacts)

Lines are 1-based and columns 0-based UTF-8 byte offsets, as in ``ast``; a syntax error's
column is CPython's 1-based ``SyntaxError.offset``.

This file must run unchanged on Python 3.8 and newer with the standard library only: no match
statements, no 3.9+ syntax or library calls (``ast.unparse``, ``str.removeprefix``, ...).
The interpreter that runs it is the agent's own, so "evaluated at def time" questions
(annotations before 3.14) are answered for the interpreter that will run the agent.
"""

import ast
import base64
import builtins
import gc
import hashlib
import io
import json
import os
import platform
import re
import stat
import subprocess
import sys
import tokenize
import warnings
from bisect import bisect_left
from collections import deque
from operator import itemgetter

MIN_VERSION = (3, 8)
# PEP 649/749: from 3.14 on, annotations are evaluated lazily, like with the __future__ import.
LAZY_ANNOTATIONS = sys.version_info >= (3, 14)

Name = ast.Name
Constant = ast.Constant
Call = ast.Call
Attribute = ast.Attribute
Lambda = ast.Lambda
Subscript = ast.Subscript
BinOp = ast.BinOp
Compare = ast.Compare
JoinedStr = ast.JoinedStr
FormattedValue = ast.FormattedValue
BoolOp = ast.BoolOp
UnaryOp = ast.UnaryOp
Starred = ast.Starred
Dict = ast.Dict
AST = ast.AST
SEQUENCES = frozenset((ast.Tuple, ast.List, ast.Set))
Store = ast.Store
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
TRY_NODES = tuple(c for c in (ast.Try, getattr(ast, "TryStar", None)) if c is not None)
MATCH = getattr(ast, "Match", None)
TYPE_ALIAS = getattr(ast, "TypeAlias", None)

MODULE, CLASS, FUNCTION, LAMBDA, COMP = "module", "class", "function", "lambda", "comp"
FUNCTION_LIKE = frozenset((FUNCTION, LAMBDA, COMP))

IMPORT_TIME, MAIN, DEFERRED = "import_time", "main", "deferred"
ANNOTATION_STRING, ANNOTATION_DEFERRED = "annotation_string", "annotation_deferred"
EXPORT, GETATTR = "export", "getattr"
# Phases that never run code: calls found under them are not executed.
NOT_EXECUTED = frozenset((ANNOTATION_STRING, ANNOTATION_DEFERRED, EXPORT))
# Phases that make an import "used" (the others only keep an unused import, with a reason).
REAL_USE = frozenset((IMPORT_TIME, DEFERRED, MAIN, ANNOTATION_DEFERRED))

NOQA = re.compile(r"#\s*noqa(?::\s*([A-Z][0-9]+(?:[,\s]+[A-Z][0-9]+)*))?", re.IGNORECASE)
# A bare noqa keeps everything; with codes, only the unused-import codes of pyflakes/ruff do.
NOQA_UNUSED_CODES = frozenset(("F401", "F811"))
LINE_BREAK = re.compile(r"\r\n|\r|\n")

# Heavy work at import time. Matched on the callee with its first name resolved through the
# file's imports (np.load -> numpy.load), so aliases do not hide it.
HEAVY_EXACT = {
    "torch.load": "model_load", "torch.jit.load": "model_load", "joblib.load": "model_load",
    "spacy.load": "model_load", "transformers.pipeline": "model_load",
    "sentence_transformers.SentenceTransformer": "model_load",
    "onnxruntime.InferenceSession": "model_load", "tensorflow.saved_model.load": "model_load",
    "pickle.load": "file_read", "numpy.load": "file_read", "numpy.loadtxt": "file_read",
    "numpy.genfromtxt": "file_read", "numpy.fromfile": "file_read", "json.load": "file_read",
    "yaml.load": "file_read", "yaml.safe_load": "file_read", "yaml.full_load": "file_read",
    "tomllib.load": "file_read", "toml.load": "file_read",
    "urllib.request.urlopen": "network", "urllib2.urlopen": "network",
    "socket.create_connection": "network", "http.client.HTTPConnection": "network",
    "http.client.HTTPSConnection": "network", "redis.Redis": "network",
    "redis.StrictRedis": "network", "redis.from_url": "network", "redis.Redis.from_url": "network",
    "pymongo.MongoClient": "network", "psycopg2.connect": "network",
    "subprocess.run": "process", "subprocess.call": "process", "subprocess.check_call": "process",
    "subprocess.check_output": "process", "subprocess.Popen": "process",
    "subprocess.getoutput": "process", "subprocess.getstatusoutput": "process",
    "os.system": "process", "os.popen": "process",
    "time.sleep": "sleep",
}
HTTP_CLIENT_CALLS = frozenset(("get", "post", "put", "patch", "delete", "head", "options", "request",
                               "Session", "session", "Client", "AsyncClient", "stream"))
READ_METHODS = frozenset(("read", "readlines", "readline"))
PATH_READS = frozenset(("read_text", "read_bytes"))
# Last callee names worth a closer look; everything else is skipped with one set lookup.
HEAVY_TRIGGERS = frozenset(k.rsplit(".", 1)[-1] for k in HEAVY_EXACT) | HTTP_CLIENT_CALLS \
    | READ_METHODS | PATH_READS | frozenset(("from_pretrained", "load_model", "open"))
# Registrars whose callbacks run later (at exit, on a signal), never during the call itself.
LATER_CALLBACKS = frozenset(("atexit.register", "signal.signal"))
SYS_PATH_CALLS = frozenset(("sys.path.insert", "sys.path.append", "sys.path.extend", "site.addsitedir"))
SYS_PATH_METHODS = frozenset(c.rpartition(".")[2] for c in SYS_PATH_CALLS)

_FIELDS = {}
USE_ORDER = itemgetter(1, 2)
SKIPPABLE = frozenset((ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Delete,
                       ast.Raise, ast.Assert, ast.Global, ast.Nonlocal, ast.Pass, ast.Break, ast.Continue))


# Identifier bytes (ASCII letters, digits, underscore, and every byte of a UTF-8 sequence) kept,
# newlines kept, everything else turned into a space.
WORD_BYTES = bytes(c if (c >= 0x80 or c == 0x0A or c == 0x5F or chr(c).isalnum()) else 0x20 for c in range(256))
IMPORT_WORD = frozenset((b"import",))


def child_fields(cls):
    """Fields of a node class that may hold nodes (contexts and operators never matter)."""
    fields = tuple(f for f in cls._fields if f not in ("ctx", "op", "ops"))
    _FIELDS[cls] = fields
    return fields


def dotted(node):
    """'a.b.c' for a Name/Attribute chain, else None."""
    parts = []
    while node.__class__ is Attribute:
        parts.append(node.attr)
        node = node.value
    if node.__class__ is not Name:
        return None
    parts.append(node.id)
    parts.reverse()
    return ".".join(parts)


def expr_text(node):
    """Short source-like text of an exception type or callee, for messages."""
    text = dotted(node)
    if text is not None:
        return text
    if node.__class__ is Call:
        inner = expr_text(node.func)
        return inner + "(...)"
    if node.__class__ is Attribute:
        return expr_text(node.value) + "." + node.attr
    return "<expr>"


class Scope(object):
    """A namespace while walking: which names it binds decides whether a use is of the global."""
    __slots__ = ("kind", "key", "parent", "locals", "hidden", "defs", "pending", "method_of", "self_name")

    def __init__(self, kind, key, parent):
        self.kind = kind
        self.key = key
        self.parent = parent
        self.locals = set()
        self.hidden = set()      # names declared global/nonlocal: never local here
        self.defs = {}           # name -> [keys of functions/classes defined here]
        self.pending = []        # uses not yet known to be of a global
        self.method_of = None    # class key when this function is defined in a class body
        self.self_name = None    # first parameter of such a method


class ClassInfo(object):
    __slots__ = ("key", "scope", "body", "bases", "metaclass", "resolved_bases")

    def __init__(self, key, scope, bases, metaclass):
        self.key = key
        self.scope = scope       # scope the class statement runs in (for resolving bases)
        self.body = None         # class body scope: its defs are the methods
        self.bases = bases
        self.metaclass = metaclass
        self.resolved_bases = None


class FileAnalysis(object):
    """One pass over one parsed file; facts() turns what it saw into the JSON shape."""

    def __init__(self, path, text, tree, side_effect_modules):
        self.path = path
        self.text = text
        self.tree = tree
        self.side_effect_modules = side_effect_modules
        self.noqa_lines = None
        self.imports = []          # output dicts, source order
        self.import_stmts = []     # (dict, scope kind) for every import, to resolve callee aliases
        self.binding = {}          # bound name -> first import dict binding it (any level)
        self.final_uses = []       # (name, line, col, owner, phase, via) of module globals
        self.funcs = {}            # key -> (node, scope it runs in, [nested def keys])
        self.classes = {}          # key -> ClassInfo
        self.instances = {}        # module-level name -> class name it was created from
        self.exports = []          # (name, line, col) from __all__
        self.sys_path = []
        self.has_main_block = False
        self.future_annotations = False
        self.module_scope = Scope(MODULE, "", None)
        self.names = frozenset()
        self.postponed = LAZY_ANNOTATIONS
        self.owner_calls = {}      # owner key (None: module level) -> [(kind, phase, via, scope, payload)]
        self.edge_cache = {}
        self.pending_units = {}    # unit key -> (def node, its scope, chain): bodies walked after the module
        self.filtered = False
        self.candidates = None
        self.imports_out_of_order = False

    # ------------------------------------------------------------------ driving

    def run(self):
        body = self.tree.body
        for st in body:
            if st.__class__ is ast.ImportFrom and st.module == "__future__":
                if any(a.name == "annotations" for a in st.names):
                    self.future_annotations = True
                    self.postponed = True
        self.names = frozenset(self.prescan(body, set()))
        self.stmts(body, self.module_scope, None, IMPORT_TIME, "module-level statement", ())
        return self.facts()

    def prescan(self, body, names):
        """Names bound by module-level imports, known before the walk so it records only their uses."""
        for st in body:
            cls = st.__class__
            if cls is ast.Import:
                for a in st.names:
                    names.add(a.asname or a.name.partition(".")[0])
            elif cls is ast.ImportFrom:
                if st.module != "__future__":
                    for a in st.names:
                        if a.name != "*":
                            names.add(a.asname or a.name)
            elif cls in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
                continue
            else:
                for field in ("body", "orelse", "finalbody"):
                    sub = getattr(st, field, None)
                    if sub:
                        self.prescan(sub, names)
                for h in getattr(st, "handlers", ()) or ():
                    self.prescan(h.body, names)
                for case in getattr(st, "cases", ()) or ():
                    self.prescan(case.body, names)
        return names

    def stmts(self, body, sc, owner, phase, via, chain):
        dispatch = DISPATCH
        candidates = self.candidates if self.filtered else None
        for st in body:
            cls = st.__class__
            if candidates is not None and cls in SKIPPABLE:
                # Filtered walk of a body that never runs at import time: only uses (and local
                # rebindings) of the imported names matter, and those are on lines that name them.
                first = st.lineno
                if first not in candidates:
                    last = st.end_lineno
                    if last == first or candidates.isdisjoint(range(first + 1, last + 1)):
                        continue
            handler = dispatch.get(cls)
            if handler is None:
                self.s_generic(st, sc, owner, phase, via, chain)
            else:
                handler(self, st, sc, owner, phase, via, chain)

    def calls_of(self, owner, phase):
        if self.filtered or phase in NOT_EXECUTED:
            return None
        calls = self.owner_calls.get(owner)
        if calls is None:
            calls = self.owner_calls[owner] = []
        return calls

    # ------------------------------------------------------------------ expressions

    def ex(self, node, sc, owner, phase, via, annotation=False):
        """Walk expressions (one node or a list): record uses of the interesting names and calls.

        This loop is where the time goes, so the common node types are unrolled and the rest
        fall back to their fields.
        """
        names = self.names
        calls = False  # looked up at the first call: most expressions have none
        stack = list(node) if node.__class__ is list else [node]
        pop = stack.pop
        push = stack.append
        extend = stack.extend
        while stack:
            n = pop()
            cls = n.__class__
            if cls is Name:
                if n.id in names:
                    if n.ctx.__class__ is Store:
                        if sc.kind in FUNCTION_LIKE:
                            sc.locals.add(n.id)
                    elif sc.kind == MODULE:
                        self.final_uses.append((n.id, n.lineno, n.col_offset, owner, phase, via))
                    else:
                        sc.pending.append((n.id, n.lineno, n.col_offset, owner, phase, via))
            elif cls is Constant:
                if annotation and n.value.__class__ is str:
                    self.string_annotation(n, sc, owner)
            elif cls is Attribute:
                push(n.value)
            elif cls is Call:
                if calls is False:
                    calls = self.calls_of(owner, phase)
                if calls is not None:
                    calls.append(("call", phase, via, sc, n))
                push(n.func)
                extend(n.args)
                for k in n.keywords:
                    push(k.value)
            elif cls is Subscript:
                push(n.value)
                push(n.slice)
            elif cls is BinOp:
                push(n.left)
                push(n.right)
            elif cls is Compare:
                push(n.left)
                extend(n.comparators)
            elif cls in SEQUENCES:
                extend(n.elts)
            elif cls is JoinedStr or cls is BoolOp:
                extend(n.values)
            elif cls is FormattedValue:
                push(n.value)
                if n.format_spec is not None:
                    push(n.format_spec)
            elif cls is Dict:
                extend(k for k in n.keys if k is not None)
                extend(n.values)
            elif cls is UnaryOp or cls is Starred:
                push(n.operand if cls is UnaryOp else n.value)
            elif cls is Lambda:
                self.lambda_(n, sc, owner, phase, via)
            elif cls in COMPREHENSIONS:
                self.comprehension(n, sc, owner, phase, via, annotation)
            else:
                fs = _FIELDS.get(cls)
                if fs is None:
                    fs = child_fields(cls)
                for f in fs:
                    v = getattr(n, f, None)
                    if v is None:
                        continue
                    if v.__class__ is list:
                        for x in v:
                            if isinstance(x, AST):
                                push(x)
                    elif isinstance(v, AST):
                        push(v)

    def use(self, name, line, col, sc, owner, phase, via):
        record = (name, line, col, owner, phase, via)
        if sc.kind == MODULE:
            self.final_uses.append(record)
        else:
            sc.pending.append(record)

    def close(self, sc):
        """Leaving a scope: uses of names it binds locally are not uses of the import."""
        keep = sc.pending
        if sc.kind != CLASS and sc.locals:
            local = sc.locals - sc.hidden
            if local:
                keep = [u for u in keep if u[0] not in local]
        target = sc.parent
        while target.kind == CLASS:
            # Class bodies do not hide names from the functions inside them; a method's body may
            # also be walked after its class was closed.
            target = target.parent
        if target.kind == MODULE:
            self.final_uses.extend(keep)
        else:
            target.pending.extend(keep)
        sc.pending = []

    def string_annotation(self, node, sc, owner):
        try:
            parsed = ast.parse(node.value.strip(), mode="eval")
        except (SyntaxError, ValueError):
            return
        for n in ast.walk(parsed):
            if n.__class__ is Name and n.id in self.names:
                self.use(n.id, node.lineno, node.col_offset, sc, owner, ANNOTATION_STRING,
                         "string annotation")

    def annotation(self, node, sc, owner, phase, evaluated, via="annotation"):
        if evaluated and not self.postponed:
            self.ex(node, sc, owner, phase, via, True)
        else:
            reason = ("annotation in a function body (never evaluated)" if not evaluated
                      else "annotation (not evaluated at def time: "
                           + ("from __future__ import annotations)" if self.future_annotations
                              else "Python 3.14+ evaluates annotations lazily)"))
            self.ex(node, sc, owner, ANNOTATION_DEFERRED, reason, True)

    def lambda_(self, n, sc, owner, phase, via):
        args = n.args
        for d in args.defaults:
            self.ex(d, sc, owner, phase, "default argument" if owner is None else via)
        for d in args.kw_defaults:
            if d is not None:
                self.ex(d, sc, owner, phase, "default argument" if owner is None else via)
        key = self.lambda_key(n)
        ls = Scope(LAMBDA, key, sc)
        ls.locals.update(self.arg_names(args))
        self.funcs[key] = (n, sc, [])
        self.ex(n.body, ls, key, None, None)
        self.close(ls)

    def lambda_key(self, n):
        return "<lambda>@%d:%d" % (n.lineno, n.col_offset)

    def comprehension(self, n, sc, owner, phase, via, annotation):
        gens = n.generators
        # The first iterable is evaluated in the enclosing scope, the rest in the comprehension's.
        self.ex(gens[0].iter, sc, owner, phase, via, annotation)
        cs = Scope(COMP, sc.key, sc)
        for i, g in enumerate(gens):
            if i:
                self.ex(g.iter, cs, owner, phase, via, annotation)
            self.ex(g.target, cs, owner, phase, via, annotation)
            for cond in g.ifs:
                self.ex(cond, cs, owner, phase, via, annotation)
        if n.__class__ is ast.DictComp:
            self.ex(n.key, cs, owner, phase, via, annotation)
            self.ex(n.value, cs, owner, phase, via, annotation)
        else:
            self.ex(n.elt, cs, owner, phase, via, annotation)
        self.close(cs)

    @staticmethod
    def arg_names(args):
        names = [a.arg for a in args.args]
        names.extend(a.arg for a in args.posonlyargs)
        names.extend(a.arg for a in args.kwonlyargs)
        if args.vararg is not None:
            names.append(args.vararg.arg)
        if args.kwarg is not None:
            names.append(args.kwarg.arg)
        return names

    # ------------------------------------------------------------------ statements

    def s_nothing(self, st, sc, owner, phase, via, chain):
        pass

    def s_generic(self, st, sc, owner, phase, via, chain):
        """Any statement without its own handler: expressions in place, bodies as nested blocks."""
        fs = _FIELDS.get(st.__class__) or child_fields(st.__class__)
        for f in fs:
            v = getattr(st, f, None)
            if v is None:
                continue
            if v.__class__ is list:
                if v and isinstance(v[0], ast.stmt):
                    self.stmts(v, sc, owner, phase, via, chain)
                else:
                    for x in v:
                        if isinstance(x, ast.AST):
                            self.ex(x, sc, owner, phase, via)
            elif isinstance(v, ast.AST):
                self.ex(v, sc, owner, phase, via)

    def s_value(self, st, sc, owner, phase, via, chain):
        if st.value is not None:
            self.ex(st.value, sc, owner, phase, via)

    def s_expr(self, st, sc, owner, phase, via, chain):
        value = st.value
        if value.__class__ is Constant:
            return  # docstrings
        if sc.kind == MODULE and value.__class__ is Call:
            f = value.func
            if f.__class__ is Attribute and f.value.__class__ is Name and f.value.id == "__all__":
                if f.attr in ("extend", "append"):
                    for a in value.args:
                        self.collect_exports(a)
        self.ex(value, sc, owner, phase, via)

    def s_delete(self, st, sc, owner, phase, via, chain):
        self.ex(st.targets, sc, owner, phase, "del statement" if owner is None else via)

    def s_global(self, st, sc, owner, phase, via, chain):
        sc.hidden.update(st.names)

    def s_assign(self, st, sc, owner, phase, via, chain):
        value = st.value
        targets = st.targets
        if value.__class__ is Constant and len(targets) == 1 and targets[0].__class__ is Name:
            # NAME = 3: nothing to walk unless it rebinds an imported name locally
            if targets[0].id in self.names:
                self.ex(targets[0], sc, owner, phase, via)
            return
        self.ex([value] + targets, sc, owner, phase, via)
        if sc.kind == MODULE or sc.kind == FUNCTION:
            self.note_assignment(st.targets, value, sc, owner, phase, st)

    def note_assignment(self, targets, value, sc, owner, phase, st):
        if len(targets) != 1:
            return
        t = targets[0]
        if t.__class__ is Name:
            if value.__class__ is Lambda:
                # f = lambda: ... is called like a def
                sc.defs.setdefault(t.id, []).append(self.lambda_key(value))
            elif sc.kind == MODULE:
                if t.id == "__all__":
                    self.collect_exports(value)
                elif value.__class__ is Call and value.func.__class__ is Name:
                    self.instances[t.id] = value.func.id
        elif sc.kind == MODULE and owner is None and self.is_sys_path(t):
            self.sys_path.append({"line": st.lineno, "column": st.col_offset,
                                  "change": "sys.path assignment", "phase": phase})

    def is_sys_path(self, target):
        if target.__class__ is ast.Subscript:
            target = target.value
        text = dotted(target)
        return text is not None and self.resolve_dotted(text) == "sys.path"

    def s_augassign(self, st, sc, owner, phase, via, chain):
        self.ex(st.value, sc, owner, phase, via)
        t = st.target
        if t.__class__ is Name:
            if t.id in self.names:
                # x += 1 reads x first
                self.use(t.id, t.lineno, t.col_offset, sc, owner, phase, via)
                if sc.kind in FUNCTION_LIKE:
                    sc.locals.add(t.id)
            if sc.kind == MODULE and t.id == "__all__":
                self.collect_exports(st.value)
        else:
            self.ex(t, sc, owner, phase, via)
            if sc.kind == MODULE and owner is None and self.is_sys_path(t):
                self.sys_path.append({"line": st.lineno, "column": st.col_offset,
                                      "change": "sys.path augmented assignment", "phase": phase})

    def s_annassign(self, st, sc, owner, phase, via, chain):
        # In a function body annotations are never evaluated, whatever the target (PEP 526);
        # module and class ones are, unless postponed.
        self.annotation(st.annotation, sc, owner, phase, sc.kind != FUNCTION)
        if st.value is not None:
            self.ex([st.value, st.target], sc, owner, phase, via)
            if sc.kind == MODULE or sc.kind == FUNCTION:
                self.note_assignment([st.target], st.value, sc, owner, phase, st)
        elif st.target.__class__ is not Name:
            self.ex(st.target, sc, owner, phase, via)

    def s_type_alias(self, st, sc, owner, phase, via, chain):
        # PEP 695: the value of a type alias is evaluated lazily.
        self.ex(st.value, sc, owner, ANNOTATION_DEFERRED, "type alias (evaluated lazily)", True)

    def s_if(self, st, sc, owner, phase, via, chain):
        if sc.kind == MODULE and not chain and self.is_main_test(st.test):
            self.ex(st.test, sc, owner, phase, via)
            self.has_main_block = True
            self.stmts(st.body, sc, owner, MAIN, "__main__ block", chain + (("if", False, True),))
            if st.orelse:
                self.stmts(st.orelse, sc, owner, phase, via, chain + (("if", False, False),))
            return
        # An elif chain is an If nested in the orelse of the one before: walk it as a loop, so that
        # a dispatcher with hundreds of branches does not cost hundreds of stack frames.
        while True:
            test = st.test
            self.ex(test, sc, owner, phase, via)
            type_checking = (test.__class__ is Name and test.id == "TYPE_CHECKING") or \
                            (test.__class__ is Attribute and test.attr == "TYPE_CHECKING")
            self.stmts(st.body, sc, owner, phase, via, chain + (("if", type_checking, False),))
            orelse = st.orelse
            if len(orelse) == 1 and orelse[0].__class__ is ast.If:
                st = orelse[0]
                continue
            if orelse:
                self.stmts(orelse, sc, owner, phase, via, chain + (("if", False, False),))
            return

    @staticmethod
    def is_main_test(test):
        if test.__class__ is not ast.Compare or len(test.ops) != 1 or test.ops[0].__class__ is not ast.Eq:
            return False
        sides = (test.left, test.comparators[0])
        has_name = any(s.__class__ is Name and s.id == "__name__" for s in sides)
        has_main = any(s.__class__ is Constant and s.value == "__main__" for s in sides)
        return has_name and has_main

    def s_for(self, st, sc, owner, phase, via, chain):
        self.ex([st.iter, st.target], sc, owner, phase, via)
        inner = chain + (("loop",),)
        self.stmts(st.body, sc, owner, phase, via, inner)
        self.stmts(st.orelse, sc, owner, phase, via, inner)

    def s_while(self, st, sc, owner, phase, via, chain):
        self.ex(st.test, sc, owner, phase, via)
        inner = chain + (("loop",),)
        self.stmts(st.body, sc, owner, phase, via, inner)
        self.stmts(st.orelse, sc, owner, phase, via, inner)

    def s_with(self, st, sc, owner, phase, via, chain):
        for item in st.items:
            self.ex(item.context_expr, sc, owner, phase, via)
            if item.optional_vars is not None:
                self.ex(item.optional_vars, sc, owner, phase, via)
        self.stmts(st.body, sc, owner, phase, via, chain + (("with",),))

    def s_try(self, st, sc, owner, phase, via, chain):
        handlers = []
        for h in st.handlers:
            if h.type is None:
                handlers.append("BaseException")
            elif h.type.__class__ is ast.Tuple:
                handlers.extend(expr_text(e) for e in h.type.elts)
            else:
                handlers.append(expr_text(h.type))
        self.stmts(st.body, sc, owner, phase, via, chain + (("try", handlers, "body"),))
        for h in st.handlers:
            if h.type is not None:
                self.ex(h.type, sc, owner, phase, via)
            if h.name and h.name in self.names and sc.kind in FUNCTION_LIKE:
                sc.locals.add(h.name)
            self.stmts(h.body, sc, owner, phase, via, chain + (("try", handlers, "handler"),))
        self.stmts(st.orelse, sc, owner, phase, via, chain + (("try", handlers, "else"),))
        self.stmts(st.finalbody, sc, owner, phase, via, chain + (("try", handlers, "finally"),))

    def s_match(self, st, sc, owner, phase, via, chain):
        self.ex(st.subject, sc, owner, phase, via)
        inner = chain + (("if", False, False),)
        for case in st.cases:
            self.ex(case.pattern, sc, owner, phase, via)
            if case.guard is not None:
                self.ex(case.guard, sc, owner, phase, via)
            self.stmts(case.body, sc, owner, phase, via, inner)

    def s_def(self, st, sc, owner, phase, via, chain):
        at_module = owner is None
        decorators = st.decorator_list
        if decorators:
            self.ex(decorators, sc, owner, phase, "decorator" if at_module else via)
        args = st.args
        defaults = args.defaults
        if args.kw_defaults:
            defaults = defaults + [d for d in args.kw_defaults if d is not None]
        if defaults:
            # None, 0, "x": nothing to see, and they are most defaults
            defaults = [d for d in defaults if d.__class__ is not Constant]
            if defaults:
                self.ex(defaults, sc, owner, phase, "default argument" if at_module else via)
        params = args.posonlyargs + args.args + args.kwonlyargs
        if args.vararg is not None:
            params.append(args.vararg)
        if args.kwarg is not None:
            params.append(args.kwarg)
        names = self.names
        # Plain-name annotations (int, str) not bound by an import need no walk.
        annotations = [a.annotation for a in params if a.annotation is not None
                       and (a.annotation.__class__ is not Name or a.annotation.id in names)]
        returns = st.returns
        if returns is not None and (returns.__class__ is not Name or returns.id in names):
            annotations.append(returns)
        if annotations:
            if self.postponed:
                self.annotation(annotations, sc, owner, phase, True)
            else:
                self.ex(annotations, sc, owner, phase, "annotation", True)

        name = st.name
        kind = sc.kind
        if kind == MODULE:
            key = name
        elif kind == CLASS:
            key = sc.key + "." + name
        else:
            key = sc.key + ".<locals>." + name
        if key in self.funcs or key in self.classes:
            key = "%s@%d" % (key, st.lineno)
        defs = sc.defs.get(name)
        if defs is None:
            sc.defs[name] = [key]
        else:
            defs.append(key)
        self.funcs[key] = (st, sc, [])
        if kind == FUNCTION:
            sc.locals.add(name)
            self.funcs[sc.key][2].append(key)
        elif kind != MODULE and kind != CLASS:
            sc.locals.add(name)
        if decorators:
            calls = self.calls_of(owner, phase)
            if calls is not None:
                for d in decorators:
                    calls.append(("decorator", phase, via, sc, d))
        if at_module:
            # A function defined while the module body runs: its body runs only if something
            # calls it, which is known after the module level is walked.
            self.pending_units[key] = (st, sc, chain)
        else:
            fs = self.function_scope(st, sc, key, params)
            self.stmts(st.body, fs, key, None, None, chain + (("function",),))
            self.close(fs)

    def function_scope(self, st, sc, key, params):
        fs = Scope(FUNCTION, key, sc)
        names = self.names
        fs.locals.update(a.arg for a in params if a.arg in names)
        if sc.kind == CLASS:
            fs.method_of = sc.key
            positional = st.args.posonlyargs + st.args.args
            if positional:
                fs.self_name = positional[0].arg
        return fs

    def walk_unit(self, key):
        st, sc, chain = self.pending_units.pop(key)
        args = st.args
        params = args.posonlyargs + args.args + args.kwonlyargs
        if args.vararg is not None:
            params.append(args.vararg)
        if args.kwarg is not None:
            params.append(args.kwarg)
        fs = self.function_scope(st, sc, key, params)
        self.stmts(st.body, fs, key, None, None, chain + (("function",),))
        self.close(fs)

    def s_class(self, st, sc, owner, phase, via, chain):
        at_module = owner is None
        for d in st.decorator_list:
            self.ex(d, sc, owner, phase, "decorator" if at_module else via)
        for b in st.bases:
            self.ex(b, sc, owner, phase, "base class" if at_module else via)
        metaclass = None
        for k in st.keywords:
            if k.arg == "metaclass":
                metaclass = k.value
                self.ex(k.value, sc, owner, phase, "metaclass keyword" if at_module else via)
            else:
                self.ex(k.value, sc, owner, phase, "class keyword" if at_module else via)
        key = self.new_key(sc, st.name, st.lineno)
        sc.defs.setdefault(st.name, []).append(key)
        if sc.kind in FUNCTION_LIKE:
            sc.locals.add(st.name)
        info = ClassInfo(key, sc, st.bases, metaclass)
        self.classes[key] = info
        cs = Scope(CLASS, key, sc)
        info.body = cs
        self.stmts(st.body, cs, owner, phase, "class body" if at_module else via, chain + (("class",),))
        self.close(cs)
        if st.bases or st.keywords or st.decorator_list:
            calls = self.calls_of(owner, phase)
            if calls is not None:
                # Defining a class runs its bases' __init_subclass__ and its metaclass.
                if st.bases or st.keywords:
                    calls.append(("classdef", phase, via, sc, key))
                for d in st.decorator_list:
                    calls.append(("decorator", phase, via, sc, d))

    def new_key(self, sc, name, line):
        if sc.kind == MODULE:
            key = name
        elif sc.kind == CLASS:
            key = sc.key + "." + name
        else:
            key = sc.key + ".<locals>." + name
        if key in self.funcs or key in self.classes:
            key = "%s@%d" % (key, line)
        return key

    def s_import(self, st, sc, owner, phase, via, chain):
        is_from = st.__class__ is ast.ImportFrom
        level = st.level or 0 if is_from else 0
        # Keys shared by every name of the statement. Null, false and empty values are left out
        # of import facts (the reader takes absence as that default): they are most of the output.
        base = {"kind": "from" if is_from else "import", "level": level,
                "span": {"line": st.lineno, "column": st.col_offset,
                         "end_line": st.end_lineno, "end_column": st.end_col_offset},
                "statement_names": len(st.names)}
        if chain:
            self.context_of(chain, base)
        else:
            base["context"] = "module"
        if self.noqa(st.lineno, st.end_lineno):
            base["noqa"] = True
        if is_from:
            module = "." * level + (st.module or "")
            base["module"] = module
            if st.module == "__future__":
                base["future"] = True
        imports = self.imports
        if imports and imports[-1]["span"]["line"] > st.lineno:
            self.imports_out_of_order = True
        scoped = base["context"] in ("function", "class")
        for a in st.names:
            fact = dict(base)
            if is_from:
                fact["name"] = a.name
                if a.name == "*":
                    fact["star"] = True
                    bound = None
                else:
                    bound = a.asname or a.name
                if self.side_effect_modules and (self.is_side_effect(module)
                                                 or self.is_side_effect(module + "." + a.name)):
                    fact["side_effect"] = True
            else:
                fact["module"] = a.name
                bound = a.asname or a.name.partition(".")[0]
                if self.side_effect_modules and self.is_side_effect(a.name):
                    fact["side_effect"] = True
            if a.asname:
                fact["alias"] = a.asname
            imports.append(fact)
            if bound is not None:
                fact["bound"] = bound
                known = self.binding.get(bound)
                if known is None or (not scoped and known["context"] in ("function", "class")):
                    self.binding[bound] = fact
                if sc.kind in FUNCTION_LIKE:
                    sc.locals.add(bound)

    def context_of(self, chain, fact):
        """Fill in context, enclosing blocks, try handlers and flags of an import inside blocks."""
        enclosing = [c[0] for c in chain]
        fact["enclosing"] = enclosing
        for c in chain:
            if c[0] == "try":
                fact["try_handlers"], fact["try_part"] = c[1], c[2]
            elif c[0] == "if":
                if c[1]:
                    fact["type_checking"] = True
                if c[2]:
                    fact["main_block"] = True
        scoped = [c for c in enclosing if c in ("function", "class")]
        fact["context"] = scoped[-1] if scoped else enclosing[-1]

    def noqa(self, first, last):
        lines = self.noqa_lines
        if lines is None:
            lines = self.noqa_lines = self.find_noqa_lines()
        if not lines:
            return False
        for line in range(first, last + 1):
            if line in lines:
                return True
        return False

    def find_noqa_lines(self):
        """Lines whose noqa comment silences an unused-import warning (bare, or naming F401/F811)."""
        text = self.text
        lines = set()
        for m in NOQA.finditer(text):
            codes = m.group(1)
            if codes is not None and NOQA_UNUSED_CODES.isdisjoint(
                    c.upper() for c in re.split(r"[,\s]+", codes) if c):
                continue
            if "\r" in text:
                lines.add(len(LINE_BREAK.findall(text, 0, m.start())) + 1)
            else:
                lines.add(text.count("\n", 0, m.start()) + 1)
        return lines

    def is_side_effect(self, module):
        if not module or not self.side_effect_modules:
            return False
        if module in self.side_effect_modules:
            return True
        for m in self.side_effect_modules:
            if module.startswith(m + "."):
                return True
        return False

    def collect_exports(self, value):
        for n in ast.walk(value):
            if n.__class__ is Constant and n.value.__class__ is str:
                self.exports.append((n.value, n.lineno, n.col_offset))

    # ------------------------------------------------------------------ call graph

    def resolve_name(self, sc, name):
        """Keys of the functions/classes a name means in a scope ([] for a plain local or unknown)."""
        s = sc
        first = True
        while s is not None:
            if s.kind == CLASS and not first:
                s = s.parent
                continue
            keys = s.defs.get(name)
            if keys:
                return keys
            if s.kind != MODULE and name in s.locals and name not in s.hidden:
                return []
            first = False
            s = s.parent
        return []

    def enclosing_method(self, sc):
        s = sc
        while s is not None and s.kind in (LAMBDA, COMP):
            s = s.parent
        if s is not None and s.kind == FUNCTION and s.method_of:
            return s
        return None

    def bases_of(self, info):
        if info.resolved_bases is None:
            info.resolved_bases = []
            for b in info.bases:
                if b.__class__ is Name:
                    info.resolved_bases.extend(k for k in self.resolve_name(info.scope, b.id)
                                               if k in self.classes)
        return info.resolved_bases

    def lookup(self, class_key, method, seen=None):
        """Method keys found on an in-file class or its in-file bases (first in MRO-ish order)."""
        seen = seen if seen is not None else set()
        if class_key in seen:
            return []
        seen.add(class_key)
        info = self.classes[class_key]
        keys = [k for k in info.body.defs.get(method, ()) if k in self.funcs]
        if keys:
            return keys
        for base in self.bases_of(info):
            keys = self.lookup(base, method, seen)
            if keys:
                return keys
        return []

    def metaclass_of(self, class_key, seen=None):
        seen = seen if seen is not None else set()
        if class_key in seen:
            return []
        seen.add(class_key)
        info = self.classes[class_key]
        if info.metaclass is not None and info.metaclass.__class__ is Name:
            metas = [k for k in self.resolve_name(info.scope, info.metaclass.id) if k in self.classes]
            if metas:
                return metas
        for base in self.bases_of(info):
            metas = self.metaclass_of(base, seen)
            if metas:
                return metas
        return []

    def short(self, key):
        return key.replace(".<locals>.", ".")

    def instantiate(self, class_key, text):
        targets = []
        for method in ("__new__", "__init__", "__post_init__"):
            for k in self.lookup(class_key, method):
                targets.append((k, "%s() runs %s()" % (text, self.short(k))))
        return targets

    def class_of_instance(self, sc, name):
        if name in self.instances and not self.resolve_name(sc, name) and self.is_global(sc, name):
            return [k for k in self.resolve_name(self.module_scope, self.instances[name]) if k in self.classes]
        return []

    @staticmethod
    def is_global(sc, name):
        s = sc
        while s is not None and s.kind != MODULE:
            if s.kind in FUNCTION_LIKE and name in s.locals and name not in s.hidden:
                return False
            s = s.parent
        return True

    def callables(self, sc, f):
        """(key, label) of in-file functions that calling expression f runs."""
        cls = f.__class__
        out = []
        if cls is Name:
            for k in self.resolve_name(sc, f.id):
                if k in self.funcs:
                    out.append((k, "%s()" % f.id))
                elif k in self.classes:
                    out.extend(self.instantiate(k, f.id))
            if not out:
                for c in self.class_of_instance(sc, f.id):
                    out.extend((k, "%s() runs %s()" % (f.id, self.short(k))) for k in self.lookup(c, "__call__"))
        elif cls is Attribute:
            v = f.value
            attr = f.attr
            classes = []
            if v.__class__ is Name:
                classes = [k for k in self.resolve_name(sc, v.id) if k in self.classes]
                if not classes:
                    method = self.enclosing_method(sc)
                    if method is not None and method.self_name == v.id:
                        classes = [method.method_of]
                if not classes:
                    classes = self.class_of_instance(sc, v.id)
                text = v.id
            elif v.__class__ is Call and v.func.__class__ is Name:
                text = v.func.id + "(...)"
                if v.func.id == "super":
                    method = self.enclosing_method(sc)
                    if method is not None:
                        classes = self.bases_of(self.classes[method.method_of])
                else:
                    classes = [k for k in self.resolve_name(sc, v.func.id) if k in self.classes]
            else:
                return out
            for c in classes:
                out.extend((k, "%s.%s()" % (text, attr)) for k in self.lookup(c, attr))
        return out

    def targets(self, kind, sc, payload, passed_are_called=True):
        if kind == "call":
            node = payload
            out = self.callables(sc, node.func)
            if not passed_are_called:
                return out
            # A function handed to a call at this point may be called by it (map, Thread(target=),
            # register(...)); counting it keeps the analysis on the safe side.
            args = [a for a in node.args if a.__class__ is Name or a.__class__ is Lambda]
            args.extend(k.value for k in node.keywords if k.value.__class__ is Name or k.value.__class__ is Lambda)
            if not args:
                return out
            text = dotted(node.func)
            if text is not None and self.resolve_dotted(text) in LATER_CALLBACKS:
                return out
            for a in args:
                if a.__class__ is Name:
                    for k in self.resolve_name(sc, a.id):
                        if k in self.funcs:
                            out.append((k, "%s passed to %s()" % (a.id, expr_text(node.func))))
                elif a.__class__ is Lambda:
                    out.append((self.lambda_key(a), "lambda passed to %s()" % expr_text(node.func)))
            return out
        if kind == "decorator":
            d = payload
            if d.__class__ is Call:
                # @factory(...): the function the factory returns is applied now.
                out = []
                for k, _ in self.callables(sc, d.func):
                    if k in self.pending_units:
                        self.walk_unit(k)
                    if k in self.funcs:
                        out.extend((n, "@%s(...) applies %s()" % (expr_text(d.func), self.short(n)))
                                   for n in self.funcs[k][2])
                return out
            return [(k, "@%s decorator runs %s()" % (expr_text(d), self.short(k)))
                    for k, _ in self.callables(sc, d)]
        if kind == "classdef":
            info = self.classes[payload]
            out = []
            for base in self.bases_of(info):
                out.extend((k, "class %s runs %s()" % (self.short(payload), self.short(k)))
                           for k in self.lookup(base, "__init_subclass__"))
            for meta in self.metaclass_of(payload):
                for method in ("__prepare__", "__new__", "__init__"):
                    out.extend((k, "class %s runs %s()" % (self.short(payload), self.short(k)))
                               for k in self.lookup(meta, method))
            return out
        return []

    def edges_of(self, owner):
        edges = self.edge_cache.get(owner)
        if edges is None:
            edges = []
            for kind, phase, via, sc, payload in self.owner_calls.get(owner, ()):
                edges.extend(self.targets(kind, sc, payload))
            self.edge_cache[owner] = edges
        return edges

    def reach(self, phase):
        """Functions run from module-level code of one phase, each with the call that reaches it."""
        parents = {}
        queue = deque()
        # In the __main__ block a function handed to a call is a callback: the entry point of a
        # long-running agent gives its handlers to a serving loop (serve(handle_run)), which calls
        # them per request, after start-up. Counting them as start-up uses would keep every import
        # a handler needs eager. Functions the block calls itself are still followed.
        passed_are_called = phase != MAIN
        for kind, call_phase, via, sc, payload in self.owner_calls.get(None, ()):
            if call_phase == phase:
                for key, label in self.targets(kind, sc, payload, passed_are_called):
                    if key not in parents:
                        parents[key] = (None, label)
                        queue.append(key)
        while queue:
            k = queue.popleft()
            if k in self.pending_units:
                self.walk_unit(k)
            for target, label in self.edges_of(k):
                if target not in parents:
                    parents[target] = (k, label)
                    queue.append(target)
        return parents

    def candidate_lines(self):
        """Lines that mention an imported name or the word import (in code, strings or comments).

        One C-level translate turns every non-identifier byte into a space; splitting each line
        then yields its words. Much cheaper than walking the statements it lets the walk skip.
        """
        data = self.text.encode("utf-8")
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        words = frozenset(n.encode("utf-8") for n in self.names) | IMPORT_WORD
        lines = set()
        number = 0
        isdisjoint = words.isdisjoint
        for line in data.translate(WORD_BYTES).split(b"\n"):
            number += 1
            if not isdisjoint(line.split()):
                lines.add(number)
        return lines

    @staticmethod
    def call_chain(parents, key):
        labels = []
        seen = set()
        while key is not None and key not in seen:
            seen.add(key)
            prev, label = parents[key]
            labels.append(label)
            key = prev
        labels.reverse()
        return " -> ".join(labels)

    # ------------------------------------------------------------------ heavy calls

    def resolve_dotted(self, text):
        head, dot, rest = text.partition(".")
        fact = self.binding.get(head)
        if fact is None:
            return text
        if fact["kind"] == "import":
            base = fact["module"] if "alias" in fact else head
        else:
            base = fact["module"] + ("" if fact["module"].endswith(".") else ".") + fact["name"]
        return base + dot + rest

    def heavy(self, node, consumed):
        f = node.func
        cls = f.__class__
        if cls is Attribute:
            last = f.attr
        elif cls is Name:
            last = f.id
            if last in self.binding:
                # from time import sleep as pause: the alias hides the name that matters
                last = self.resolve_dotted(last).rpartition(".")[2]
        else:
            return None
        if not (last in HEAVY_TRIGGERS or last.startswith("read_") or last.endswith("channel")):
            return None
        if cls is Attribute and f.value.__class__ is Call:
            inner = f.value
            inner_text = dotted(inner.func)
            if inner_text == "open" and last in READ_METHODS:
                consumed.add(id(inner))
                return "open(...)." + last, "open(...)." + last, "file_read"
            if inner_text is not None and last in PATH_READS and \
                    self.resolve_dotted(inner_text) in ("pathlib.Path", "Path"):
                return inner_text + "(...)." + last, "pathlib.Path(...)." + last, "file_read"
            return None
        text = dotted(f)
        if text is None:
            return None
        resolved = self.resolve_dotted(text)
        category = HEAVY_EXACT.get(resolved)
        if category is None:
            head = resolved.partition(".")[0]
            if last == "from_pretrained" or last == "load_model":
                category = "model_load"
            elif head == "pandas" and last.startswith("read_"):
                category = "file_read"
            elif head in ("requests", "httpx") and resolved.count(".") == 1 and last in HTTP_CLIENT_CALLS:
                category = "network"
            elif head == "grpc" and last.endswith("channel"):
                category = "network"
            elif resolved == "open" and self.opens_for_reading(node):
                category = "file_read"
        if category is None:
            return None
        if category == "file_read":
            for a in node.args:
                if a.__class__ is Call and dotted(a.func) == "open":
                    consumed.add(id(a))
        return text, resolved, category

    @staticmethod
    def opens_for_reading(node):
        mode = node.args[1] if len(node.args) > 1 else None
        for k in node.keywords:
            if k.arg == "mode":
                mode = k.value
        if mode is None:
            return True
        return mode.__class__ is Constant and isinstance(mode.value, str) and \
            not any(c in mode.value for c in "wax+")

    # ------------------------------------------------------------------ output

    def facts(self):
        at_import = self.reach(IMPORT_TIME)
        from_main = self.reach(MAIN)
        if self.pending_units:
            # What is left never runs at import time: only uses of the imported names (and imports)
            # matter, so bodies and statements that do not mention them are skipped.
            self.filtered = True
            self.candidates = self.candidate_lines()
            ordered = sorted(self.candidates)
            for key in list(self.pending_units):
                unit = self.pending_units.get(key)
                if unit is None:
                    continue
                st = unit[0]
                i = bisect_left(ordered, st.body[0].lineno)
                if i == len(ordered) or ordered[i] > st.end_lineno:
                    del self.pending_units[key]
                    continue
                self.walk_unit(key)
            self.filtered = False

        resolved = {}

        def phase_of(owner, phase, via):
            if phase is not None:
                return phase, via
            answer = resolved.get((owner, via))
            if answer is None:
                answer = resolved[(owner, via)] = owner_phase(owner, via)
            return answer

        def owner_phase(owner, via):
            prefix = via + ", " if via else ""
            if owner in at_import:
                return IMPORT_TIME, prefix + "called at module level via " + self.call_chain(at_import, owner)
            if owner in from_main:
                return MAIN, prefix + "called from the __main__ block via " + self.call_chain(from_main, owner)
            if owner == "__getattr__" or owner.startswith("__getattr__."):
                return GETATTR, "inside module __getattr__()"
            if owner.startswith("<lambda>@"):
                return DEFERRED, "inside the lambda on line %s" % owner[9:].partition(":")[0]
            return DEFERRED, "inside %s()" % self.short(owner)

        uses = {}
        for name in sorted(self.names):
            uses[name] = []
        found = self.final_uses
        for name, line, col in self.exports:
            if name in uses:
                found.append((name, line, col, None, EXPORT, "listed in __all__"))
        found.sort(key=USE_ORDER)
        for name, line, col, owner, phase, via in found:
            if phase is None:
                phase, via = phase_of(owner, phase, via)
            uses[name].append({"line": line, "column": col, "phase": phase, "via": via})

        heavy_calls = []
        consumed = set()
        executed_calls = []
        for owner in [None] + list(at_import) + [k for k in from_main if k not in at_import]:
            for kind, phase, via, sc, node in self.owner_calls.get(owner, ()):
                if kind == "call":
                    executed_calls.append((owner, phase, via, sc, node))
        for owner, phase, via, sc, node in executed_calls:
            phase, why = phase_of(owner, phase, via)
            if phase not in (IMPORT_TIME, MAIN):
                continue
            if id(node) in consumed:
                continue
            found = self.heavy(node, consumed)
            if found is not None:
                heavy_calls.append({"line": node.lineno, "column": node.col_offset, "callee": found[0],
                                    "resolved": found[1], "category": found[2], "phase": phase, "via": why})
            f = node.func
            if owner is None and f.__class__ is Attribute and f.attr in SYS_PATH_METHODS:
                text = dotted(f)
                if text is not None and self.resolve_dotted(text) in SYS_PATH_CALLS:
                    self.sys_path.append({"line": node.lineno, "column": node.col_offset,
                                          "change": text, "phase": phase})
        heavy_calls.sort(key=lambda h: (h["line"], h["column"]))
        self.sys_path.sort(key=lambda s: (s["line"], s["column"]))

        package_init = self.path.replace("\\", "/").rsplit("/", 1)[-1] == "__init__.py"
        unused = []
        for fact in self.imports:
            bound = fact.get("bound")
            if bound is None or "future" in fact or fact["context"] in ("function", "class"):
                continue
            found = uses.get(bound, ())
            phases = set(u["phase"] for u in found)
            if phases & REAL_USE:
                continue
            if "side_effect" in fact:
                kept = "side_effect"
            elif EXPORT in phases or package_init:
                kept = "exported"
            elif GETATTR in phases:
                kept = "getattr"
            elif ANNOTATION_STRING in phases:
                kept = "string_annotation"
            elif "noqa" in fact:
                kept = "noqa"
            else:
                kept = None
            unused.append({"bound": bound, "line": fact["span"]["line"], "kept": kept})

        defines_getattr = "__getattr__" in self.module_scope.defs
        if self.imports_out_of_order:
            # Imports inside function bodies walked after the module level; sort is stable.
            self.imports.sort(key=lambda f: (f["span"]["line"], f["span"]["column"]))
        return {
            "imports": self.imports, "uses": uses, "unused": unused, "heavy_calls": heavy_calls,
            "sys_path_changes": self.sys_path, "defines_getattr": defines_getattr,
            "has_main_block": self.has_main_block, "future_annotations": self.future_annotations,
        }


DISPATCH = {
    ast.Import: FileAnalysis.s_import, ast.ImportFrom: FileAnalysis.s_import,
    ast.FunctionDef: FileAnalysis.s_def, ast.AsyncFunctionDef: FileAnalysis.s_def,
    ast.ClassDef: FileAnalysis.s_class, ast.If: FileAnalysis.s_if,
    ast.For: FileAnalysis.s_for, ast.AsyncFor: FileAnalysis.s_for, ast.While: FileAnalysis.s_while,
    ast.With: FileAnalysis.s_with, ast.AsyncWith: FileAnalysis.s_with,
    ast.Assign: FileAnalysis.s_assign, ast.AugAssign: FileAnalysis.s_augassign,
    ast.AnnAssign: FileAnalysis.s_annassign, ast.Expr: FileAnalysis.s_expr,
    ast.Return: FileAnalysis.s_value, ast.Delete: FileAnalysis.s_delete,
    ast.Raise: FileAnalysis.s_generic, ast.Assert: FileAnalysis.s_generic,
    ast.Global: FileAnalysis.s_global, ast.Nonlocal: FileAnalysis.s_global,
    ast.Pass: FileAnalysis.s_nothing, ast.Break: FileAnalysis.s_nothing, ast.Continue: FileAnalysis.s_nothing,
}
for _cls in TRY_NODES:
    DISPATCH[_cls] = FileAnalysis.s_try
if MATCH is not None:
    DISPATCH[MATCH] = FileAnalysis.s_match
if TYPE_ALIAS is not None:
    DISPATCH[TYPE_ALIAS] = FileAnalysis.s_type_alias


# ---------------------------------------------------------------- the fleet's own modules and dynamic reads
# Issue 17: removing or deferring an import of a module of the fleet's own code lost what importing it did
# (handlers registered into another module), and imports read only through exec/eval/globals() were called
# unused. An import of an own module (a file found on the agent's own import path: its directory and the
# fleet's PYTHONPATH entries) counts as side-effecting unless its body is shown to be definitions only; a
# file that reads names by computed names keeps every import.

# Decorators and calls whose evaluation changes nothing outside the value they return.
PURE_DECORATORS = frozenset((
    "staticmethod", "classmethod", "property", "dataclasses.dataclass", "functools.wraps", "functools.lru_cache",
    "functools.cache", "functools.cached_property", "functools.total_ordering", "functools.singledispatch",
    "contextlib.contextmanager", "contextlib.asynccontextmanager", "abc.abstractmethod", "typing.overload",
    "typing.final", "typing.runtime_checkable", "enum.unique"))
PURE_CALLS = frozenset((
    "object", "str", "int", "float", "bool", "bytes", "tuple", "list", "dict", "set", "frozenset", "len", "range",
    "sorted", "logging.getLogger", "typing.TypeVar", "typing.NewType", "typing.NamedTuple", "typing.TypedDict",
    "typing.cast", "collections.namedtuple", "collections.defaultdict", "collections.OrderedDict", "collections.deque",
    "collections.Counter", "re.compile", "os.environ.get", "os.getenv", "os.path.join", "os.path.dirname",
    "os.path.abspath", "os.path.realpath", "os.path.basename", "os.path.expanduser", "pathlib.Path",
    "threading.Lock", "threading.RLock", "threading.Event", "threading.local", "dataclasses.field", "enum.auto",
    "weakref.WeakValueDictionary", "weakref.WeakKeyDictionary", "weakref.WeakSet", "contextvars.ContextVar",
    "struct.Struct", "decimal.Decimal", "datetime.timedelta", "itertools.count"))
PURE_METACLASSES = frozenset(("abc.ABCMeta", "type"))
DYNAMIC_WORDS = ("exec", "eval", "globals", "locals", "vars", "__import__", "modules")
DEFINITION_STATEMENTS = (ast.Pass, ast.Import, ast.ImportFrom)


class OwnCode(object):
    """Finds the files of the fleet's own modules on an import path and tells whether loading one does more
    than define things. One per request; the answer for each file is kept, so a shared module is read once."""

    def __init__(self, paths):
        self.paths = [p for p in paths if p]
        self.effects = {}    # file -> None (definitions only) or {"file", "line", "what"}
        self.subclass_hooks = {}  # file -> class names defining __init_subclass__ or a metaclass

    def find(self, module, search):
        """The files that `import module` runs, outermost package first, or None when it is not own code."""
        parts = module.split(".")
        for root in search:
            files = []
            directory = root
            for i, part in enumerate(parts):
                base = directory + "/" + part
                if os.path.isdir(base):
                    init = base + "/__init__.py"
                    if os.path.isfile(init):
                        files.append(init)
                    directory = base
                elif os.path.isfile(base + ".py") and i == len(parts) - 1:
                    files.append(base + ".py")
                    directory = None
                    break
                else:
                    files = None
                    break
            if files is not None and (files or directory is not None):
                return files
        return None

    def effect_of_import(self, module, search, seen):
        """The first thing that importing an own module does besides defining names, or None."""
        files = self.find(module, search)
        if not files:
            return None
        for f in files:
            effect = self.effect(f, search, seen)
            if effect is not None:
                return effect
        return None

    def effect(self, path, search, seen):
        if path in self.effects:
            return self.effects[path]
        if path in seen:
            return None  # an import cycle: the module is judged by its other statements
        seen.add(path)
        try:
            with open(path, "rb") as fh:
                tree = ast.parse(fh.read(), filename=path)
        except (OSError, SyntaxError, ValueError, RecursionError, MemoryError) as e:
            self.effects[path] = {"file": path, "line": getattr(e, "lineno", None) or 1,
                                  "what": "it cannot be read or parsed here (%s)" % e.__class__.__name__}
            return self.effects[path]
        body = BodyCheck(self, path, tree, search, seen)
        found = body.statements(tree.body, True)
        self.effects[path] = found
        self.subclass_hooks[path] = body.hooks
        return found


class BodyCheck(object):
    """Whether a module body only defines names: functions, classes, constants, imports of modules that do the same."""

    def __init__(self, own, path, tree, search, seen):
        self.own = own
        self.path = path
        self.search = search
        self.seen = seen
        self.package = path.rsplit("/", 1)[0]
        self.imported = {}   # bound name -> dotted origin (module or module.name)
        self.local = set()   # names bound by this module's own assignments and definitions
        self.classes = set()
        self.hooks = set()

    def effect(self, node, what):
        return {"file": self.path, "line": getattr(node, "lineno", 1), "what": what}

    def statements(self, body, module_level):
        for st in body:
            found = self.statement(st, module_level)
            if found is not None:
                return found
        return None

    def statement(self, st, module_level):
        cls = st.__class__
        if cls is ast.Pass or (cls is ast.Expr and st.value.__class__ is Constant):
            return None
        if cls is ast.Import or cls is ast.ImportFrom:
            return self.import_(st)
        if cls in (ast.FunctionDef, ast.AsyncFunctionDef):
            found = self.decorators(st) or self.pure_all(st.args.defaults + [d for d in st.args.kw_defaults if d is not None], st)
            self.local.add(st.name)
            return found
        if cls is ast.ClassDef:
            return self.class_(st)
        if cls is ast.Assign:
            for target in st.targets:
                found = self.target(target, st)
                if found is not None:
                    return found
            return self.pure(st.value, st)
        if cls is ast.AnnAssign:
            found = self.target(st.target, st)
            return found or (self.pure(st.value, st) if st.value is not None else None)
        if cls is ast.AugAssign:
            if st.target.__class__ is Name and st.target.id in self.local:
                return self.pure(st.value, st)
            return self.effect(st, "the augmented assignment changes what this module did not define")
        if cls is ast.If:
            if is_main_test(st.test):
                return None  # the __main__ block does not run on import
            return self.pure(st.test, st) or self.statements(st.body, module_level) \
                or self.statements(st.orelse, module_level)
        if cls in TRY_NODES:
            found = self.statements(st.body, module_level) or self.statements(st.orelse, module_level) \
                or self.statements(st.finalbody, module_level)
            for h in st.handlers:
                found = found or self.statements(h.body, module_level)
            return found
        if TYPE_ALIAS is not None and cls is TYPE_ALIAS:
            return None
        if cls is ast.Expr and st.value.__class__ is Call:
            return self.effect(st, "the call `%s` runs at import" % expr_text(st.value.func))
        return self.effect(st, "the %s statement runs at import" % cls.__name__.lower())

    def import_(self, st):
        if st.__class__ is ast.Import:
            for a in st.names:
                self.imported[a.asname or a.name.partition(".")[0]] = a.name if a.asname else a.name.partition(".")[0]
                found = self.own.effect_of_import(a.name, self.search, self.seen)
                if found is not None:
                    return self.effect(st, "importing %s: %s" % (a.name, describe_effect(found)))
            return None
        if st.module == "__future__":
            return None
        if st.level:
            base = self.package
            for _ in range(st.level - 1):
                base = base.rsplit("/", 1)[0]
            search = [base]
            module = st.module or ""
        else:
            search = self.search
            module = st.module
        for a in st.names:
            origin = (module + "." + a.name) if module else a.name
            if a.name != "*":
                self.imported[a.asname or a.name] = origin if not st.level else "." + origin
            found = None
            if module:
                found = self.own.effect_of_import(module, search, self.seen)
            if found is None and a.name != "*":
                found = self.own.effect_of_import(origin, search, self.seen)
            if found is not None:
                return self.effect(st, "importing %s: %s" % (origin, describe_effect(found)))
        return None

    def target(self, target, st):
        cls = target.__class__
        if cls is Name:
            self.local.add(target.id)
            return None
        if cls in SEQUENCES:
            for t in target.elts:
                found = self.target(t, st)
                if found is not None:
                    return found
            return None
        if cls is Subscript and target.value.__class__ is Name and target.value.id in self.local:
            return self.pure(target.slice, st)
        text = expr_text(target.value) + "[...]" if cls is Subscript else expr_text(target)
        return self.effect(st, "the assignment to `%s` changes what this module did not define" % text)

    def decorators(self, st):
        for d in st.decorator_list:
            callee = d.func if d.__class__ is Call else d
            name = self.resolve(dotted(callee))
            if name not in PURE_DECORATORS or (d.__class__ is Call and self.pure_all(d.args + [k.value for k in d.keywords], st)):
                return self.effect(d, "the decorator `@%s` runs at import"
                                   % (expr_text(d.func) + "(...)" if d.__class__ is Call else expr_text(d)))
        return None

    def class_(self, st):
        found = self.decorators(st)
        if found is not None:
            return found
        for k in st.keywords:
            if k.arg == "metaclass" and self.resolve(dotted(k.value)) not in PURE_METACLASSES:
                return self.effect(st, "class %s has the metaclass `%s`, which runs at import"
                                   % (st.name, expr_text(k.value)))
        for base in st.bases:
            found = self.base(base, st)
            if found is not None:
                return found
        for item in st.body:
            if item.__class__ in (ast.FunctionDef, ast.AsyncFunctionDef) and item.name == "__init_subclass__":
                self.hooks.add(st.name)
        if any(k.arg == "metaclass" for k in st.keywords):
            self.hooks.add(st.name)
        self.local.add(st.name)
        self.classes.add(st.name)
        saved = self.local
        self.local = set(saved)
        try:
            return self.statements(st.body, False)
        finally:
            self.local = saved

    def base(self, base, st):
        text = dotted(base.value if base.__class__ is Subscript else base)
        if text is None:
            return self.effect(st, "class %s computes a base class at import" % st.name)
        first = text.partition(".")[0]
        if first in self.classes and "." not in text:
            return None if first not in self.hooks else self.effect(
                st, "class %s subclasses %s, whose __init_subclass__ or metaclass runs" % (st.name, text))
        if first not in self.imported:
            if first in BUILTIN_NAMES:
                return None
            return self.effect(st, "class %s subclasses `%s`, which fleetshell cannot follow" % (st.name, text))
        origin = self.imported[first] + text[len(first):]
        module, _, name = origin.rpartition(".")
        if origin.partition(".")[0] in STDLIB:
            return None
        files = self.own.find(module, self.search) if module and not module.startswith(".") else None
        if files:
            hooks = self.own.subclass_hooks.get(files[-1])
            if hooks is not None and name not in hooks:
                return None
        return self.effect(st, "class %s subclasses `%s`, whose class creation may register it"
                           % (st.name, text))

    def resolve(self, text):
        if text is None:
            return None
        first, dot, rest = text.partition(".")
        origin = self.imported.get(first)
        return (origin + dot + rest) if origin is not None else text

    def pure_all(self, nodes, st):
        for n in nodes:
            found = self.pure(n, st)
            if found is not None:
                return found
        return None

    def pure(self, node, st):
        """None when evaluating the expression changes nothing outside its value (a lambda's body does not run)."""
        stack = [node]
        while stack:
            n = stack.pop()
            cls = n.__class__
            if cls is Lambda:
                stack.extend(d for d in n.args.defaults + n.args.kw_defaults if d is not None)
                continue
            if cls is Call:
                callee = self.resolve(dotted(n.func))
                if callee not in PURE_CALLS:
                    return self.effect(st, "the call `%s` runs at import" % expr_text(n.func))
            elif cls in COMPREHENSIONS or cls in (ast.Await, ast.Yield, ast.YieldFrom) or cls.__name__ == "NamedExpr":
                return self.effect(st, "the expression runs code at import")
            stack.extend(ast.iter_child_nodes(n))
        return None


def is_main_test(test):
    return (test.__class__ is Compare and test.left.__class__ is Name and test.left.id == "__name__"
            and len(test.comparators) == 1 and test.comparators[0].__class__ is Constant
            and test.comparators[0].value == "__main__")


def describe_effect(effect):
    return "%s:%s: %s" % (effect["file"].rsplit("/", 1)[-1], effect["line"], effect["what"])


BUILTIN_NAMES = frozenset(dir(builtins))
STDLIB = frozenset(getattr(sys, "stdlib_module_names", ()) or (
    "abc", "collections", "contextlib", "dataclasses", "enum", "typing", "threading", "json", "logging", "io",
    "os", "pathlib", "queue", "socketserver", "http", "unittest", "argparse", "asyncio", "numbers", "string"))


def own_effects(result, path, tree, own):
    """Marks each module-level import of an own module whose loading does more than define names."""
    search = [path.rsplit("/", 1)[0]] + own.paths
    kept = set()
    for fact in result["imports"]:
        if fact["context"] in ("function", "class") or fact.get("future") or fact.get("level"):
            continue
        targets = [fact["module"]] if fact["kind"] == "import" else [fact["module"], fact["module"] + "." + fact["name"]]
        for target in targets:
            found = own.effect_of_import(target, search, set())
            if found is not None:
                fact["own_effect"] = {"module": target, "file": found["file"], "line": found["line"], "what": found["what"]}
                kept.add((fact.get("bound"), fact["span"]["line"]))
                break
    for u in result["unused"]:
        if u["kept"] is None and (u["bound"], u["line"]) in kept:
            u["kept"] = "side_effect"


def dynamic_access(tree, text):
    """Where the file reads names by a name computed at run time (exec, eval, globals(), locals(), vars(),
    sys.modules, __import__ of a computed name), in source order."""
    if not any(word in text for word in DYNAMIC_WORDS):
        return []
    found = []
    for node in ast.walk(tree):
        cls = node.__class__
        if cls is Call:
            func = node.func
            name = func.id if func.__class__ is Name else None
            literal = bool(node.args) and node.args[0].__class__ is Constant and isinstance(node.args[0].value, str)
            if name in ("exec", "eval", "globals", "locals") or (name == "vars" and not node.args):
                found.append({"line": node.lineno, "column": node.col_offset, "what": name + "()"})
            elif name == "__import__" and not literal:
                found.append({"line": node.lineno, "column": node.col_offset, "what": "__import__() of a computed name"})
        elif cls is Attribute and node.attr == "modules" and node.value.__class__ is Name and node.value.id == "sys":
            found.append({"line": node.lineno, "column": node.col_offset, "what": "sys.modules"})
    found.sort(key=lambda f: (f["line"], f["column"]))
    return found


# ------------------------------------------------------------------ work facts
# For the async_initialization and cache_optimization patterns: which module-level statements do heavy
# work that could run in a background thread, and which module-level functions are pure enough to cache.
# Name-based and conservative: anything it cannot follow is a refusal with its reason.

FORK_CALLS = frozenset(("os.fork", "os.forkpty", "os.register_at_fork", "multiprocessing.Process",
                        "multiprocessing.Pool", "multiprocessing.get_context", "multiprocessing.set_start_method",
                        "concurrent.futures.ProcessPoolExecutor"))
PURE_BUILTINS = frozenset((
    "abs", "all", "any", "ascii", "bin", "bool", "bytes", "chr", "complex", "divmod", "enumerate", "filter",
    "float", "format", "frozenset", "hash", "hex", "int", "isinstance", "issubclass", "iter", "len", "list",
    "dict", "set", "map", "max", "min", "next", "oct", "ord", "pow", "range", "repr", "reversed", "round",
    "sorted", "str", "sum", "tuple", "zip", "ValueError", "KeyError", "TypeError", "ZeroDivisionError"))
IMMUTABLE_BUILTINS = frozenset(("abs", "bool", "bytes", "chr", "complex", "float", "format", "frozenset", "hash",
                                "hex", "int", "len", "oct", "ord", "pow", "repr", "round", "str", "tuple", "bin",
                                "ascii", "isinstance", "issubclass", "all", "any"))
PURE_MODULES = frozenset(("math", "cmath", "hashlib", "statistics", "fractions", "re", "string", "itertools",
                          "functools", "operator", "bisect", "heapq", "unicodedata", "zlib", "binascii",
                          "colorsys", "textwrap", "json", "base64", "struct", "difflib"))
NUMBER_MODULES = frozenset(("math", "cmath", "statistics", "operator", "colorsys"))
READ_ONLY_METHODS = frozenset((
    "lower", "upper", "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "join", "startswith",
    "endswith", "replace", "count", "index", "find", "rfind", "get", "keys", "values", "items", "copy",
    "encode", "decode", "format", "hexdigest", "digest", "isdigit", "isalpha", "isalnum", "isspace", "title",
    "capitalize", "casefold", "partition", "rpartition", "zfill", "center", "ljust", "rjust", "bit_length",
    "is_integer", "as_integer_ratio", "conjugate"))
STR_METHODS = frozenset(("lower", "upper", "strip", "lstrip", "rstrip", "join", "replace", "format", "hexdigest",
                         "title", "capitalize", "casefold", "zfill", "center", "ljust", "rjust", "encode",
                         "decode", "count", "index", "find", "rfind", "bit_length", "is_integer", "startswith",
                         "endswith", "isdigit", "isalpha", "isalnum", "isspace", "digest"))


def span_of(node):
    return {"line": node.lineno, "column": node.col_offset, "end_line": node.end_lineno,
            "end_column": node.end_col_offset}


def assigned_names(fn):
    """Names a function binds locally: parameters, assignment and loop targets, with-as, imports, defs."""
    args = fn.args
    names = set(a.arg for a in args.args + args.kwonlyargs + getattr(args, "posonlyargs", []))
    for a in (args.vararg, args.kwarg):
        if a is not None:
            names.add(a.arg)
    declared = set()
    for node in walk_own(fn):
        cls = node.__class__
        if cls is Name and node.ctx.__class__ is not ast.Load:
            names.add(node.id)
        elif cls in (ast.Global, ast.Nonlocal):
            declared.update(node.names)
        elif cls in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef) and node is not fn:
            names.add(node.name)
        elif cls in (ast.Import, ast.ImportFrom):
            for a in node.names:
                names.add((a.asname or a.name).partition(".")[0])
        elif cls is ast.ExceptHandler and node.name:
            names.add(node.name)
    return names - declared, declared


def walk_own(fn):
    """The nodes of a function's own body, without descending into nested functions, lambdas or classes."""
    todo = list(fn.body) + list(fn.args.defaults) + [d for d in fn.args.kw_defaults if d is not None]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if child.__class__ in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, Lambda):
                yield child
                continue
            todo.append(child)


class WorkFacts(object):
    """What async_initialization and cache_optimization need of one parsed file."""

    def __init__(self, analysis, tree, heavy_calls):
        self.a = analysis
        self.tree = tree
        self.heavy_lines = set(h["line"] for h in heavy_calls if h["phase"] == IMPORT_TIME)
        self.heavy_by_line = dict((h["line"], h["resolved"]) for h in heavy_calls)
        self.funcs = {}      # module-level function or Class.method -> node
        self.classes = {}
        for st in tree.body:
            if st.__class__ in (ast.FunctionDef, ast.AsyncFunctionDef):
                self.funcs[st.name] = st
            elif st.__class__ is ast.ClassDef:
                self.classes[st.name] = st
                for m in st.body:
                    if m.__class__ in (ast.FunctionDef, ast.AsyncFunctionDef):
                        self.funcs[st.name + "." + m.name] = m
        self.assigned = {}   # module-level name -> [line of each module-level binding]
        for st in tree.body:
            for t in self.targets_of(st):
                self.assigned.setdefault(t, []).append(st.lineno)
        # names lazy_loading bound to a module (`np = _fleetshell_lazy("numpy", "numpy")`): imports all the same
        self.lazy = {}
        for st in tree.body:
            if st.__class__ is ast.Assign and len(st.targets) == 1 and st.targets[0].__class__ is Name \
                    and st.value.__class__ is Call and dotted(st.value.func) == "_fleetshell_lazy" \
                    and len(st.value.args) == 2 and st.value.args[1].__class__ is Constant:
                self.lazy[st.targets[0].id] = st.value.args[1].value
        self.global_writes = {}   # name -> first line a function declares it global and binds it
        for key, fn in self.funcs.items():
            local, declared = assigned_names(fn)
            for node in walk_own(fn):
                if node.__class__ is Name and node.id in declared and node.ctx.__class__ is not ast.Load:
                    self.global_writes.setdefault(node.id, node.lineno)

    @staticmethod
    def targets_of(st):
        cls = st.__class__
        if cls is ast.Assign:
            out = []
            for t in st.targets:
                out.extend(n.id for n in ast.walk(t) if n.__class__ is Name)
            return out
        if cls in (ast.AnnAssign, ast.AugAssign) and st.target.__class__ is Name:
            return [st.target.id]
        if cls in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            return [st.name]
        if cls in (ast.For, ast.AsyncFor, ast.With, ast.AsyncWith, ast.If, ast.While) + TRY_NODES:
            return [n.id for n in ast.walk(st) if n.__class__ is Name and n.ctx.__class__ is Store]
        return []

    def resolved(self, node):
        text = dotted(node)
        if text is None:
            return None
        head, dot, rest = text.partition(".")
        if head in self.lazy:
            return self.lazy[head] + dot + rest
        return self.a.resolve_dotted(text)

    def imported(self, name):
        return name in self.a.binding or name in self.lazy

    def called_keys(self, nodes):
        """Module functions (and Class.__init__ for a class) that these nodes call directly."""
        keys = []
        for node in nodes:
            for n in ast.walk(node):
                if n.__class__ is not Call:
                    continue
                f = n.func
                if f.__class__ is Name:
                    if f.id in self.funcs:
                        keys.append(f.id)
                    elif f.id in self.classes:
                        for m in ("__init__", "__post_init__", "setup"):
                            if f.id + "." + m in self.funcs:
                                keys.append(f.id + "." + m)
                elif f.__class__ is Attribute and f.value.__class__ is Name and f.value.id in ("self", "cls"):
                    # self.setup() inside a method: a method of any class of the file with that name
                    keys.extend(k for k in self.funcs if k.endswith("." + f.attr))
        return keys

    def closure(self, nodes):
        seen = []
        todo = self.called_keys(nodes)
        while todo:
            k = todo.pop()
            if k in seen:
                continue
            seen.append(k)
            todo.extend(self.called_keys(self.funcs[k].body))
        return seen

    def heavy_in(self, nodes):
        lines = []
        for node in nodes:
            for n in ast.walk(node):
                if n.__class__ is Call and n.lineno in self.heavy_by_line:
                    lines.append(n.lineno)
        return lines

    def forks(self):
        for n in ast.walk(self.tree):
            if n.__class__ is Call:
                r = self.resolved(n.func)
                if r in FORK_CALLS:
                    return n.lineno, r
        return None

    # ---------------------------------------------------------- async_initialization

    def startup(self):
        body = self.tree.body
        fork = self.forks()
        main_nodes = [st for st in body if st.__class__ is ast.If and FileAnalysis.is_main_test(st.test)]
        main_reach = self.closure(main_nodes)
        out = []
        for index, st in enumerate(body):
            if st.__class__ not in (ast.Assign, ast.AnnAssign, ast.Expr):
                continue
            value = st.value
            if value is None:
                continue
            reached = self.closure([value])
            heavy = sorted(set(self.heavy_in([value]) + self.heavy_in([self.funcs[k] for k in reached])))
            if not heavy:
                continue
            entry = {"line": st.lineno, "end_line": st.end_lineno, "column": st.col_offset,
                     "value": span_of(value), "heavy": ["%s (line %d)" % (self.heavy_by_line[h], h) for h in heavy],
                     "name": None, "reads": [], "refused": None}
            out.append(entry)
            targets = st.targets if st.__class__ is ast.Assign else [st.target] if st.__class__ is ast.AnnAssign else []
            if st.__class__ is ast.Expr:
                entry["refused"] = "its result is not kept: it runs for its side effects, whose order a thread would change"
                continue
            if len(targets) != 1 or targets[0].__class__ is not Name:
                entry["refused"] = "it assigns more than one name or not a plain name"
                continue
            name = targets[0].id
            entry["name"] = name
            if st.col_offset != 0:
                entry["refused"] = "it does not start its line"
                continue
            if fork is not None:
                entry["refused"] = ("the agent forks (%s, line %d): a thread started before a fork does not run in "
                                    "the child, which would wait forever" % (fork[1], fork[0]))
                continue
            signals = [n.lineno for k in reached for n in ast.walk(self.funcs[k])
                       if n.__class__ is Call and (self.resolved(n.func) or "").startswith("signal.")]
            signals += [n.lineno for n in ast.walk(value) if n.__class__ is Call
                        and (self.resolved(n.func) or "").startswith("signal.")]
            if signals:
                entry["refused"] = ("it installs signal handlers (line %d): Python allows that only in the main "
                                    "thread" % min(signals))
                continue
            others = [l for l in self.assigned.get(name, ()) if l != st.lineno]
            if others or name in self.global_writes:
                entry["refused"] = "`%s` is bound again (line %d): a holder cannot follow a name that changes" % (
                    name, others[0] if others else self.global_writes[name])
                continue
            entry["refused"] = self.reads(name, st, index, main_reach, entry["reads"])
        return out

    def reads(self, name, st, index, main_reach, reads):
        """Fills reads with the in-function reads to rewrite; returns why it must stay, or None."""
        later = self.tree.body[index + 1:]
        at_import = self.closure([s for s in later if not (s.__class__ is ast.If and FileAnalysis.is_main_test(s.test))
                                  and s.__class__ not in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)]
                                 + [d for s in later if s.__class__ in (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                        ast.ClassDef) for d in s.decorator_list])
        for s in later:
            for n in self.module_level_nodes(s):
                if n.__class__ is Name and n.id == name:
                    where = "the __main__ block" if s.__class__ is ast.If and FileAnalysis.is_main_test(s.test) \
                        else "a module-level statement"
                    if where == "the __main__ block":
                        return ("`%s` is read by the __main__ block (line %d) before the agent serves: it must "
                                "finish before the port is bound" % (name, n.lineno))
                    return "`%s` is read while the module loads (line %d): its result is needed during start-up" % (
                        name, n.lineno)
        accounted = set()
        for key, fn in self.funcs.items():
            local, declared = assigned_names(fn)
            if name in local:
                accounted.update((n.lineno, n.col_offset) for n in self.all_reads(fn, name))
                continue
            for n in self.all_reads(fn, name):
                accounted.add((n.lineno, n.col_offset))
                if key in at_import:
                    return "`%s` is read by %s() (line %d), which runs while the module loads" % (name, key, n.lineno)
                if key in main_reach:
                    return ("`%s` is read by %s() (line %d), called by the __main__ block before the agent serves: "
                            "it must finish before the port is bound" % (name, key, n.lineno))
                reads.append(span_of(n))
        for n in ast.walk(self.tree):
            if n.__class__ is Lambda and any(x.__class__ is Name and x.id == name for x in ast.walk(n)):
                return "`%s` is read inside a lambda (line %d), which async_initialization does not follow" % (
                    name, n.lineno)
            if n.__class__ is Attribute and n.value.__class__ is Name and n.value.id == "globals":
                return "the module reads globals() (line %d)" % n.lineno
        for n in ast.walk(self.tree):
            # what is left: uses in nested functions or classes, deletions (conservative: refuse rather than miss one)
            if n.__class__ is Name and n.id == name and n.lineno > st.end_lineno and (n.lineno, n.col_offset) not in accounted:
                return "`%s` is used where async_initialization does not follow it (line %d: a nested function or class)" % (
                    name, n.lineno)
        reads.sort(key=lambda r: (r["line"], r["column"]))
        return None

    @staticmethod
    def module_level_nodes(st):
        """Nodes of a module-level statement that run at load: not function bodies, but defaults and decorators."""
        todo = [st]
        while todo:
            node = todo.pop()
            if node.__class__ in (ast.FunctionDef, ast.AsyncFunctionDef):
                todo.extend(node.decorator_list)
                todo.extend(node.args.defaults)
                todo.extend(d for d in node.args.kw_defaults if d is not None)
                continue
            if node.__class__ is Lambda:
                todo.extend(node.args.defaults)
                continue
            yield node
            todo.extend(ast.iter_child_nodes(node))

    @staticmethod
    def all_reads(fn, name):
        out = []
        for node in walk_own(fn):
            if node.__class__ is Name and node.id == name:
                out.append(node)
        return out

    def hooks(self):
        """Calls of imported functions that the __main__ block makes (itself or through the file's functions):
        where a readiness keyword could be added."""
        out = []
        main_nodes = [st for st in self.tree.body if st.__class__ is ast.If and FileAnalysis.is_main_test(st.test)]
        nodes = [n for root in main_nodes + [self.funcs[k] for k in self.closure(main_nodes)] for n in ast.walk(root)]
        for n in nodes:
            if n.__class__ is not Call:
                continue
            head = n.func
            while head.__class__ is Attribute:
                head = head.value
            if head.__class__ is not Name or head.id not in self.a.binding:
                continue
            resolved = self.resolved(n.func)
            if resolved is None or "." not in resolved:
                continue
            last = n.args[-1] if n.args else None
            for k in n.keywords:
                if last is None or (k.value.lineno, k.value.col_offset) > (last.lineno, last.col_offset):
                    last = k.value
            if any(a.__class__ is Starred for a in n.args) or any(k.arg is None for k in n.keywords):
                continue
            out.append({"resolved": resolved, "line": n.lineno,
                        "after": None if last is None else {"line": last.end_lineno, "column": last.end_col_offset},
                        "end": {"line": n.end_lineno, "column": n.end_col_offset},
                        "keywords": [k.arg for k in n.keywords]})
        return out

    # ---------------------------------------------------------- cache_optimization

    def functions(self):
        out = []
        verdicts = {}
        for st in self.tree.body:
            if st.__class__ in (ast.FunctionDef, ast.AsyncFunctionDef):
                verdicts[st.name] = self.purity(st)
        # a function calling another that is not pure is not pure either
        changed = True
        while changed:
            changed = False
            for name, v in verdicts.items():
                if v[0] is None:
                    for callee in v[1]:
                        other = verdicts.get(callee)
                        if other is not None and other[0] is not None:
                            verdicts[name] = ("it calls %s(), which is not cacheable: %s" % (callee, other[0]), v[1], v[2])
                            changed = True
                            break
        for st in self.tree.body:
            if st.__class__ in (ast.FunctionDef, ast.AsyncFunctionDef):
                refused, callees, immutable = verdicts[st.name]
                if refused is None and not immutable(verdicts):
                    refused = "it returns a value a caller could change (a list, dict or object): a cached result must not be mutable"
                out.append({"name": st.name, "line": st.lineno, "end_line": st.end_lineno, "refused": refused,
                            "params": [a.arg for a in st.args.args]})
            elif st.__class__ is ast.ClassDef:
                for m in st.body:
                    if m.__class__ in (ast.FunctionDef, ast.AsyncFunctionDef) and not m.name.startswith("__"):
                        out.append({"name": st.name + "." + m.name, "line": m.lineno, "end_line": m.end_lineno,
                                    "refused": "it is a method: its result may depend on the instance, which can change "
                                               "(methods are never cached)", "params": []})
        return out

    def purity(self, fn):
        """(why it is not cacheable or None, module functions it calls, function telling if its result is immutable)."""
        never = lambda verdicts: False
        if fn.__class__ is ast.AsyncFunctionDef:
            return "it is a coroutine function", [], never
        if fn.decorator_list:
            return "it is decorated (line %d): the decorator may depend on each call" % fn.decorator_list[0].lineno, [], never
        for d in list(fn.args.defaults) + [d for d in fn.args.kw_defaults if d is not None]:
            if d.__class__ not in (Constant, ast.Tuple):
                return "a parameter has a default that is not a constant (line %d)" % d.lineno, [], never
        local, declared = assigned_names(fn)
        if declared:
            return "it declares global or nonlocal %s: it writes state outside itself" % ", ".join(sorted(declared)), [], never
        params = set(a.arg for a in fn.args.args + fn.args.kwonlyargs + getattr(fn.args, "posonlyargs", []))
        for a in (fn.args.vararg, fn.args.kwarg):
            if a is not None:
                params.add(a.arg)
        owned = self.owned_locals(fn, local - params)
        callees = []
        returns = []
        # in source order, so that the refusal names the first line that causes it
        for node in sorted((n for n in walk_own(fn) if hasattr(n, "lineno")), key=lambda n: (n.lineno, n.col_offset)):
            cls = node.__class__
            if cls in (ast.Yield, ast.YieldFrom, ast.Await):
                return "it is a generator or awaits (line %d)" % node.lineno, [], never
            if cls in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, Lambda):
                return "it defines a function, class or lambda inside (line %d)" % node.lineno, [], never
            if cls is ast.Return and node.value is not None:
                returns.append(node.value)
            if cls in (Attribute, Subscript) and node.ctx.__class__ is not ast.Load:
                base = node.value
                while base.__class__ in (Attribute, Subscript):
                    base = base.value
                if not (base.__class__ is Name and base.id in owned):
                    return "it writes to %s (line %d), which it does not own" % (
                        ast.get_source_segment(self.a.text, node) or "an object", node.lineno), [], never
            if cls is Name and node.ctx.__class__ is ast.Load and node.id not in local:
                why = self.global_read(node)
                if why is not None:
                    return why, [], never
            if cls is Call:
                why = self.call_refusal(node, local, owned, callees)
                if why is not None:
                    return why, [], never
        if not returns:
            return "it returns nothing: caching it would only skip its effects", [], never

        def immutable(verdicts):
            return all(self.immutable(r, fn, local, verdicts, set()) for r in returns)
        return None, callees, immutable

    def owned_locals(self, fn, candidates):
        """Locals bound only to new objects (literals, comprehensions, calls): changing them changes nothing else."""
        owned = set(candidates)
        for node in walk_own(fn):
            if node.__class__ in (ast.Assign, ast.AnnAssign, ast.AugAssign) and getattr(node, "value", None) is not None:
                targets = node.targets if node.__class__ is ast.Assign else [node.target]
                fresh = node.value.__class__ in (ast.List, Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp,
                                                 Call, Constant, BinOp, JoinedStr, ast.Tuple)
                for t in targets:
                    for n in ast.walk(t):
                        if n.__class__ is Name and not fresh:
                            owned.discard(n.id)
            elif node.__class__ in (ast.For, ast.comprehension, ast.withitem):
                target = node.target if node.__class__ is not ast.withitem else node.optional_vars
                for n in ast.walk(target) if target is not None else ():
                    if n.__class__ is Name:
                        owned.discard(n.id)
        return owned

    def global_read(self, node):
        name = node.id
        if name in self.funcs or self.imported(name) or name in PURE_BUILTINS or name in ("None", "True", "False"):
            return None
        if name in self.classes:
            return None
        import builtins
        if hasattr(builtins, name) and name not in self.assigned:
            return None
        lines = self.assigned.get(name)
        if not lines:
            return "it reads `%s` (line %d), which the module does not bind" % (name, node.lineno)
        if len(lines) > 1 or name in self.global_writes:
            return "it reads module global `%s` (line %d), which is bound more than once" % (name, node.lineno)
        st = next(s for s in self.tree.body if s.lineno == lines[0])
        value = getattr(st, "value", None)
        if st.__class__ not in (ast.Assign, ast.AnnAssign) or value is None or not self.constant(value):
            return "it reads module global `%s` (line %d), which is not an immutable constant" % (name, node.lineno)
        return None

    def constant(self, value):
        cls = value.__class__
        if cls is Constant:
            return True
        if cls is ast.Tuple:
            return all(self.constant(e) for e in value.elts)
        if cls in (BinOp,):
            return self.constant(value.left) and self.constant(value.right)
        if cls is UnaryOp:
            return self.constant(value.operand)
        if cls is Call and value.func.__class__ is Name and value.func.id == "frozenset":
            return all(self.constant(a) or a.__class__ in (ast.List, ast.Set) and all(self.constant(e) for e in a.elts)
                       for a in value.args)
        return False

    def call_refusal(self, node, local, owned, callees):
        f = node.func
        if f.__class__ is Name:
            if f.id in local:
                return "it calls `%s` (line %d), a value it was given: what that does is unknown" % (f.id, node.lineno)
            if f.id in self.funcs:
                callees.append(f.id)
                return None
            if f.id in PURE_BUILTINS and f.id not in self.assigned:
                return None
            if self.imported(f.id):
                resolved = self.resolved(f) or f.id
                if resolved.partition(".")[0] in PURE_MODULES:
                    return None
            return "it calls %s() (line %d), which may do I/O or keep state" % (f.id, node.lineno)
        if f.__class__ is Attribute:
            base = f.value
            while base.__class__ is Attribute:
                base = base.value
            if base.__class__ is Name and base.id not in local and self.imported(base.id):
                resolved = self.resolved(f) or ""
                if resolved.partition(".")[0] in PURE_MODULES:
                    return None
                return "it calls %s (line %d), which may do I/O or keep state" % (resolved, node.lineno)
            if base.__class__ is Name and base.id in owned:
                return None
            if f.attr in READ_ONLY_METHODS:
                return None
            return "it calls .%s() (line %d) on a value it does not own: that may change the caller's object" % (
                f.attr, node.lineno)
        return "it calls the result of an expression (line %d)" % node.lineno

    def immutable(self, value, fn, local, verdicts, seen):
        cls = value.__class__
        if cls in (Constant, JoinedStr, Compare):
            return True
        if cls is ast.Tuple:
            return all(self.immutable(e, fn, local, verdicts, seen) for e in value.elts)
        if cls is BinOp:
            return self.immutable(value.left, fn, local, verdicts, seen) and self.immutable(value.right, fn, local, verdicts, seen)
        if cls is UnaryOp:
            return self.immutable(value.operand, fn, local, verdicts, seen)
        if cls is ast.IfExp:
            return self.immutable(value.body, fn, local, verdicts, seen) and self.immutable(value.orelse, fn, local, verdicts, seen)
        if cls is Name:
            if value.id in seen:
                return True
            seen.add(value.id)
            params = set(a.arg for a in fn.args.args + fn.args.kwonlyargs)
            if value.id in params:
                return True
            if value.id not in local:
                return self.global_read(value) is None and value.id not in self.funcs
            values = []
            for node in walk_own(fn):
                if node.__class__ in (ast.Assign, ast.AnnAssign, ast.AugAssign):
                    targets = node.targets if node.__class__ is ast.Assign else [node.target]
                    if any(t.__class__ is Name and t.id == value.id for t in targets):
                        values.append(node.value if node.__class__ is not ast.AugAssign else node)
                elif node.__class__ in (ast.For, ast.comprehension) and any(
                        n.__class__ is Name and n.id == value.id for n in ast.walk(node.target)):
                    return False
            return bool(values) and all(v is not None and (v.__class__ is ast.AugAssign and
                                                           self.immutable(v.value, fn, local, verdicts, seen)
                                                           or v.__class__ is not ast.AugAssign and
                                                           self.immutable(v, fn, local, verdicts, seen)) for v in values)
        if cls is Call:
            f = value.func
            if f.__class__ is Name:
                if f.id in IMMUTABLE_BUILTINS and f.id not in self.assigned:
                    return True
                if f.id in ("min", "max", "sum", "next") and f.id not in self.assigned:
                    return True   # of numbers or strings here: the other arguments passed the purity rules
                if f.id in verdicts and verdicts[f.id][0] is None:
                    return f.id in seen or (seen.add(f.id) or verdicts[f.id][2](verdicts))
                if self.imported(f.id):
                    return (self.resolved(f) or "").partition(".")[0] in NUMBER_MODULES
                return False
            if f.__class__ is Attribute:
                if f.attr in STR_METHODS:
                    return True
                resolved = self.resolved(f) or ""
                return resolved.partition(".")[0] in NUMBER_MODULES
        return False


def work_facts(analysis, tree, heavy_calls):
    work = WorkFacts(analysis, tree, heavy_calls)
    return {"startup": work.startup(), "hooks": work.hooks(), "functions": work.functions()}


def empty_facts(path):
    return {"path": path, "sha256": None, "error": None, "imports": [], "uses": {}, "unused": [],
            "heavy_calls": [], "sys_path_changes": [], "defines_getattr": False,
            "has_main_block": False, "future_annotations": False, "dynamic_access": [],
            "work": {"startup": [], "hooks": [], "functions": []}}


def source_encoding(data):
    """PEP 263: a BOM or a coding comment on one of the first two lines, else UTF-8."""
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1) if first >= 0 else -1
    head = data if second < 0 else data[:second]
    if data.startswith(b"\xef\xbb\xbf") or b"coding" in head:
        return tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    return "utf-8"


def position(data, offset):
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1)
    return line, column


NOT_REGULAR = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
               (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def not_regular(path):
    """What the file is when it is not a regular one, else None: opening a FIFO would block, a device never end. Reading
    through a link is fine (writes never go through one: fleetshell's write path refuses them)."""
    mode = os.stat(path).st_mode
    if stat.S_ISREG(mode):
        return None
    return next((what for test, what in NOT_REGULAR if test(mode)), "not a regular file")


def analyze(path, side_effect_modules, own, data=None):
    result = empty_facts(path)
    try:
        if data is None:
            what = not_regular(path)
            if what is not None:
                result["error"] = {"kind": "unreadable", "line": None, "column": None,
                                   "message": "%s is %s, not a regular file: refused before reading" % (path, what)}
                return result
            with open(path, "rb") as fh:
                data = fh.read()
    except (OSError, ValueError) as e:
        result["error"] = {"kind": "unreadable", "line": None, "column": None,
                           "message": "cannot read the file: %s" % (getattr(e, "strerror", None) or e)}
        return result
    result["sha256"] = hashlib.sha256(data).hexdigest()
    try:
        encoding = source_encoding(data)
        text = data.decode(encoding)
    except SyntaxError as e:
        # A broken coding comment: point at it (detect_encoding does not say which line it read).
        lines = data.split(b"\n", 2)[:2]
        line = next((i + 1 for i, text in enumerate(lines) if b"coding" in text), e.lineno)
        result["error"] = {"kind": "unreadable", "line": line, "column": None,
                           "message": "%s; fix the coding comment (PEP 263)" % e.msg}
        return result
    except UnicodeDecodeError as e:
        line, column = position(data, e.start)
        result["error"] = {"kind": "unreadable", "line": line, "column": column,
                           "message": "byte 0x%02x is not valid %s (%s); declare the file's encoding "
                                      "with a coding comment (PEP 263) or save it as UTF-8"
                                      % (data[e.start], encoding, e.reason)}
        return result
    except LookupError as e:
        result["error"] = {"kind": "unreadable", "line": 1, "column": None, "message": str(e)}
        return result
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as e:
        result["error"] = {"kind": "syntax", "line": e.lineno, "column": e.offset, "message": e.msg}
        return result
    except ValueError as e:
        # Before 3.12 a NUL byte is a ValueError rather than a SyntaxError.
        line, column = position(data, max(data.find(b"\0"), 0))
        result["error"] = {"kind": "syntax", "line": line, "column": column + 1, "message": str(e)}
        return result
    except (RecursionError, MemoryError) as e:
        result["error"] = {"kind": "syntax", "line": None, "column": None,
                           "message": "too deeply nested for this interpreter's parser: %s" % e}
        return result
    try:
        analysis = FileAnalysis(path, text, tree, side_effect_modules)
        result.update(analysis.run())
        result["work"] = work_facts(analysis, tree, result["heavy_calls"])
        result["dynamic_access"] = dynamic_access(tree, text)
        own_effects(result, path, tree, own)
    except RecursionError as e:
        result["error"] = {"kind": "internal", "line": None, "column": None,
                           "message": "too deeply nested to analyze: %s" % e}
    except Exception as e:  # noqa: BLE001 - one odd file must not cost the facts of the whole batch
        result["error"] = {"kind": "internal", "line": None, "column": None,
                           "message": "analysis failed (%s: %s); please report this file" % (e.__class__.__name__, e)}
    return result


def module_kinds(facts, ask):
    """What module_kinds.py says of the file's module-level import targets (``module``, or ``module.name`` for a
    from-import; relative, star and __future__ imports left out), or None when it failed."""
    targets = []
    for fact in facts.get("imports") or ():
        if fact.get("context") in ("function", "class") or fact.get("level") or fact.get("star") or fact.get("future"):
            continue
        target = fact["module"] + "." + fact["name"] if fact["kind"] == "from" else fact["module"]
        if target not in targets:
            targets.append(target)
    if not targets:
        return {}
    environment = dict(os.environ)
    environment.update(ask.get("environment") or {})
    try:
        done = subprocess.run([ask.get("python") or sys.executable, "-c", ask["program"], os.path.dirname(facts["path"])] + targets,
                              cwd=ask["directory"], env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=ask["timeout"])
    except (OSError, subprocess.SubprocessError):
        return None
    lines = [line for line in done.stdout.decode("utf-8", "replace").splitlines() if line.strip()]
    if done.returncode != 0 or not lines or not lines[-1].startswith("{"):
        return None
    return json.loads(lines[-1])


def main():
    if sys.version_info < MIN_VERSION:
        sys.stderr.write("fleetshell's analysis helper needs Python %d.%d or newer; this is %s\n"
                         % (MIN_VERSION + (platform.python_version(),)))
        return 3
    # SyntaxWarnings (invalid escapes, ...) would flood stderr for a large fleet; they are not facts.
    warnings.simplefilter("ignore")
    # Nothing per file forms a reference cycle, so reference counting frees it; the cyclic
    # collector would only re-scan the AST nodes that every parse allocates by the thousand.
    gc.disable()
    # Nested blocks and expressions recurse a little; elif chains do not (see s_if).
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    files = request.get("files") or []
    side_effect_modules = frozenset(request.get("side_effect_modules") or ())
    own = OwnCode(request.get("own_paths") or ())
    sources = request.get("sources") or [None] * len(files)
    out = sys.stdout
    # ensure_ascii (the default) keeps the output ASCII whatever the locale's encoding is.
    executable = sys.executable or ""
    if not (os.path.isabs(executable) and os.path.isfile(executable) and os.access(executable, os.X_OK)):
        executable = ""
    out.write('{"python": %s, "executable": %s, "files": [' % (json.dumps(platform.python_version()), json.dumps(executable)))
    dumps = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
    first = None
    for i, path in enumerate(files):
        if i:
            out.write(",\n")
        source = sources[i]
        facts = analyze(path, side_effect_modules, own, None if source is None else base64.b64decode(source))
        first = facts if i == 0 else first
        out.write(dumps(facts))
    out.write("]")
    ask = request.get("module_kinds")
    if ask is not None:
        out.write(', "module_kinds": %s' % json.dumps(module_kinds(first, ask) if first is not None and not first["error"] else None))
    out.write("}\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
