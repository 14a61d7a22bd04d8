"""Parse and elaborate Verilog with pyslang; report its diagnostics as InputErrors or warnings.

pyslang (slang) does the language work: preprocessing (`define, `include with -I, -D),
parsing, the module hierarchy, parameter values, generate expansion and the typing of every
expression (Verilog's context-determined widths arrive as explicit conversions). What it
hands over is walked into an AIG by edapipe.synth.rtl.elaborate.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from edapipe.errors import InputError, excerpt

# Slang diagnostics that are errors for a simulator but that synthesis tools accept (or that
# the elaborator reports better itself, naming the construct).
_DOWNGRADE = {
    "MultipleContAssigns", "MultipleAlwaysAssigns", "InputPortAssign",
    "MixingOrderedAndNamedPorts",
}
# Warnings that are noise for synthesizable RTL.
_QUIET = {
    "WidthTruncate", "WidthExpand", "ImplicitConvert", "SignConversion", "ArithOpMismatch",
    "ComparisonMismatch", "BitwiseOpMismatch", "UnsignedArithShift", "UnusedDefinition",
    "UnconnectedNamedPort", "UnconnectedUnnamedPort", "CaseDefault", "IndexOOB",
    "ImplicitNamedPortTypeMismatch", "PortWidthTruncate", "PortWidthExpand", "ConstantConversion",
    "MissingTimeScale", "IneffectiveSignExtension", "SignCompare", "FloatBoolConv",
    "IntBoolConv", "LogicalNotParentheses", "BitwiseRelPrecedence", "EmptyStatement",
    "UnusedResult", "ImplicitNetPortNoDefault", "CaseOverlap", "CaseIncomplete",
    "UnnamedGenerate", "EmptyOutputPortConn", "SignedLogicalShift", "UnusedButSetVariable",
    "UnusedVariable", "UnusedNet", "UnusedParameter", "UnusedPort", "UnusedGenvar",
    "UnusedImplicitNet", "UnusedAssertionDecl", "UnusedTypedef", "UnusedImport",
}


@dataclass
class Parsed:
    compilation: object
    trees: list
    source_manager: object
    parse_seconds: float = 0.0
    elaborate_seconds: float = 0.0
    tops: list = field(default_factory=list)


def _bag(defines, include_dirs, top, version=None):
    import pyslang

    pp = pyslang.parsing.PreprocessorOptions()
    lx = pyslang.parsing.LexerOptions()
    if defines:
        pp.predefines = [f"{k}={v}" if v is not None and v != "" else k
                         for k, v in defines.items()]
    if include_dirs:
        pp.additionalIncludePaths = [str(d) for d in include_dirs]
    co = pyslang.ast.CompilationOptions()
    co.errorLimit = 50
    # `genblk1.x`: names of unnamed generate blocks (Verilog-2005 12.4.3), as Yosys takes them
    co.flags = co.flags | pyslang.ast.CompilationFlags.AllowUnnamedGenerate
    if top:
        co.topModules = {top}
    if version is not None:
        pp.languageVersion = lx.languageVersion = co.languageVersion = version
    return pyslang.Bag([pp, lx, co])


_OPEN = {"(": 1, "[": 1, "{": 1, "begin": 1, ")": -1, "]": -1, "}": -1, "end": -1}
_NEST_TOKEN = None


def _deepest(text: str, limit: int) -> tuple[int, int | None, int | None]:
    """(depth, line, column): the deepest nesting of ( [ { and begin/end, skipping comments
    and strings, and where it first passes `limit` (None, None when it never does): where
    slang's parser gave up when it raises without a diagnostic."""
    global _NEST_TOKEN
    import re

    if _NEST_TOKEN is None:
        _NEST_TOKEN = re.compile(r'//[^\n]*|/\*.*?(?:\*/|\Z)|"(?:[^"\\\n]|\\.)*"?'
                                 r"|\bbegin\b|\bend\b|[()\[\]{}]", re.S)
    depth = best = 0
    at = None
    for m in _NEST_TOKEN.finditer(text):
        step = _OPEN.get(m.group())
        if step is None:
            continue
        depth += step
        if depth > best:
            best = depth
            if depth > limit and at is None:
                at = m.start()
    if at is None:
        return best, None, None
    line = text.count("\n", 0, at) + 1
    return best, line, at - (text.rfind("\n", 0, at) + 1) + 1


MAX_OPERATORS = 20_000     # operators in one statement (slang binds a chain in O(n^2))
_OPERATOR_RUN = None


def _check_statements(text: str, name: str) -> None:
    """Refuse a statement of more than MAX_OPERATORS operators before slang sees it: slang
    binds an operator chain in quadratic time (20,000 `^` take 5 s, 80,000 more than a
    minute) and recurses once per operator in C++ (a deep enough chain overflows its stack)."""
    global _OPERATOR_RUN
    import re

    if len(text) < 2 * MAX_OPERATORS:
        return
    if _OPERATOR_RUN is None:
        _OPERATOR_RUN = re.compile(r"//[^\n]*|/\*.*?(?:\*/|\Z)|\"(?:[^\"\\\n]|\\.)*\"?|;"
                                   r"|[-+*/%&|^<>=!~?:]+", re.S)
    count = start = 0
    for m in _OPERATOR_RUN.finditer(text):
        tok = m.group()
        if tok == ";":
            count = 0
        elif tok[0] in "/\"" and (tok[:2] in ("//", "/*") or tok[0] == '"'):
            continue
        else:
            count += 1
            if count == 1:
                start = m.start()
            if count > MAX_OPERATORS:
                line = text.count("\n", 0, start) + 1
                raise InputError(f"statement with more than {MAX_OPERATORS} operators: too "
                                 "long for the Verilog compiler (split it)", file=name,
                                 line=line)


_INCLUDE = None
MAX_INCLUDE_DEPTH = 32


def _check_includes(sources, include_dirs) -> None:
    """Refuse an `include that names a device, FIFO or socket before slang opens it: slang
    would read `/dev/zero` until memory runs out and block on a FIFO forever. Included
    regular files are scanned too (to MAX_INCLUDE_DEPTH) and recorded as inputs, so no
    output may overwrite them."""
    global _INCLUDE
    import re
    import stat

    from edapipe.util import files

    if _INCLUDE is None:
        _INCLUDE = re.compile(r'`include\s*(?:"([^"\n]*)"|<([^>\n]*)>)')
    dirs = [str(d) for d in include_dirs]
    seen: set[str] = set()
    todo = [(text, name, 0) for text, name in sources]
    while todo:
        text, name, depth = todo.pop()
        if "`include" not in text:
            continue
        here = os.path.dirname(name)
        for m in _INCLUDE.finditer(text):
            inc = m.group(1) or m.group(2) or ""
            if os.path.isabs(inc):
                candidates = [inc]
            else:
                candidates = [os.path.join(here, inc)] + [os.path.join(d, inc) for d in dirs]
                candidates.append(inc)
            for path in candidates:
                try:
                    st = os.stat(path)
                except (OSError, ValueError):
                    continue
                line = text.count("\n", 0, m.start()) + 1
                if stat.S_ISDIR(st.st_mode):
                    break                       # slang reports it
                if not stat.S_ISREG(st.st_mode):
                    raise InputError(f"`include {excerpt(inc, 80)!r}: not a regular file (a "
                                     "device, FIFO or socket); refused", file=name, line=line)
                real = os.path.realpath(path)
                if real in seen:
                    break
                seen.add(real)
                files.note_input(path)
                if depth + 1 >= MAX_INCLUDE_DEPTH:
                    break
                try:
                    with open(path, "rb") as fh:
                        data = fh.read()
                except OSError:
                    break                       # slang reports it
                todo.append((data.decode("latin-1"), path, depth + 1))
                break


def _parse(sources, bag):
    import pyslang

    sm = pyslang.SourceManager()
    trees = []
    for text, name in sources:
        _check_statements(text, name)
        path = os.path.abspath(name) if os.path.exists(name) else name
        try:
            trees.append(pyslang.syntax.SyntaxTree.fromText(text, sm, name, path, bag))
        except RuntimeError:
            # slang's parser stops at its recursion depth (1024) by throwing, without a
            # diagnostic: say so, at the most deeply nested spot.
            limit = pyslang.parsing.ParserOptions().maxRecursionDepth
            depth, line, col = _deepest(text, limit)
            shown = f"; this file nests {depth}" if line is not None else ""
            raise InputError(f"syntax error: constructs nested too deeply (the parser's limit "
                             f"is {limit} levels{shown})", file=name, line=line,
                             column=col) from None
    bad = any(d.isError() for tree in trees for d in tree.diagnostics)
    return sm, trees, bad


def _where(sm, loc, fallback: str):
    try:
        name, line, col = (str(sm.getFileName(loc)), int(sm.getLineNumber(loc)),
                           int(sm.getColumnNumber(loc)))
    except Exception:  # noqa: BLE001 - a location slang cannot map
        return fallback, None, None
    if line <= 0:  # diagnostics about the whole design (e.g. no such top) have no place
        return name or fallback, None, None
    return name or fallback, line, col


def _message(engine, diag) -> str:
    try:
        return engine.formatMessage(diag)
    except Exception:  # noqa: BLE001
        return str(diag.code)


def compile_sources(sources: list[tuple[str, str]], *, top=None, defines=None,
                    include_dirs=(), warn=None) -> Parsed:
    """Parse (text, filename) pairs and elaborate; raise InputError on the first error."""
    import pyslang

    t0 = time.perf_counter()
    _check_includes(sources, include_dirs)
    bag = _bag(defines, include_dirs, top)
    sm, trees, bad = _parse(sources, bag)
    if bad:
        # Verilog-2005 code may use SystemVerilog keywords (logic, bit, do) as names.
        bag05 = _bag(defines, include_dirs, top, pyslang.LanguageVersion.v1364_2005)
        sm05, trees05, bad05 = _parse(sources, bag05)
        if not bad05:
            bag, sm, trees = bag05, sm05, trees05
    t1 = time.perf_counter()
    comp = pyslang.ast.Compilation(bag)
    for tree in trees:
        comp.addSyntaxTree(tree)
    engine = pyslang.DiagnosticEngine(sm)
    first_name = sources[0][1] if sources else "<input>"
    try:
        return _check(comp, trees, sm, engine, first_name, top, warn, t0, t1)
    except (RuntimeError, SystemError, MemoryError) as exc:
        # slang throwing (or running out of memory) on a design it cannot elaborate
        raise InputError(f"the design cannot be elaborated: {type(exc).__name__} in the "
                         f"Verilog compiler (slang){': ' + excerpt(exc) if str(exc) else ''}",
                         file=first_name) from None


def _check(comp, trees, sm, engine, first_name, top, warn, t0, t1) -> Parsed:
    # Parse errors first: they explain later semantic ones.
    for tree in trees:
        for diag in tree.diagnostics:
            if diag.isError():
                f, line, col = _where(sm, diag.location, first_name)
                raise InputError(f"syntax error: {excerpt(_message(engine, diag), 200)}",
                                 file=f, line=line, column=col)
    root = comp.getRoot()
    tops = list(root.topInstances)
    t2 = time.perf_counter()
    diags = list(comp.getAllDiagnostics())
    errors = []
    for diag in diags:
        code = str(diag.code).removeprefix("DiagCode(").removesuffix(")")
        if diag.isError() and code not in _DOWNGRADE:
            errors.append(diag)
        elif warn is not None and code not in _QUIET and code not in _DOWNGRADE:
            f, line, _ = _where(sm, diag.location, first_name)
            warn(f"{f}:{line}: warning: {excerpt(_message(engine, diag), 200)}")
    if errors:
        diag = errors[0]
        f, line, col = _where(sm, diag.location, first_name)
        raise InputError(excerpt(_message(engine, diag), 200), file=f, line=line, column=col)
    if top is not None and not any(t.name == top for t in tops):
        raise InputError(f"top module {top!r} not found", file=first_name)
    if not tops:
        raise InputError("no module to elaborate (no top-level module found)", file=first_name)
    return Parsed(comp, trees, sm, t1 - t0, t2 - t1, tops)
