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

from edapipe.errors import InputError

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
    if top:
        co.topModules = {top}
    if version is not None:
        pp.languageVersion = lx.languageVersion = co.languageVersion = version
    return pyslang.Bag([pp, lx, co])


def _parse(sources, bag):
    import pyslang

    sm = pyslang.SourceManager()
    trees = []
    for text, name in sources:
        path = os.path.abspath(name) if os.path.exists(name) else name
        trees.append(pyslang.syntax.SyntaxTree.fromText(text, sm, name, path, bag))
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
    # Parse errors first: they explain later semantic ones.
    for tree in trees:
        for diag in tree.diagnostics:
            if diag.isError():
                f, line, col = _where(sm, diag.location, first_name)
                raise InputError(f"syntax error: {_message(engine, diag)}", file=f, line=line,
                                 column=col)
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
            warn(f"{f}:{line}: warning: {_message(engine, diag)}")
    if errors:
        diag = errors[0]
        f, line, col = _where(sm, diag.location, first_name)
        raise InputError(_message(engine, diag), file=f, line=line, column=col)
    if top is not None and not any(t.name == top for t in tops):
        raise InputError(f"top module {top!r} not found", file=first_name)
    if not tops:
        raise InputError("no module to elaborate (no top-level module found)", file=first_name)
    return Parsed(comp, trees, sm, t1 - t0, t2 - t1, tops)
