"""The timing flow as one call: read Liberty, netlist and SDC, build the graph, analyze."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

from edapipe.errors import InputError
from edapipe.timing.graph import TimingGraph, build_graph, for_libraries, merged_cells
from edapipe.timing.liberty import Library, read_liberty, reading_signature
from edapipe.timing.netlist import Netlist, read_netlist_text
from edapipe.timing.sdc import Constraints, DesignNames, read_sdc_text
from edapipe.timing.search import Analysis, analyze
from edapipe.util.files import display_name, read_bytes


@dataclass(repr=False, eq=False)
class StaParams:
    """What to analyze and how."""

    netlist: str
    liberty: tuple[str, ...]
    sdc: str | None = None
    top: str | None = None
    wire_load: bool = False    # apply the first library's default wire-load model (lumped)
    use_cache: bool = True     # Liberty pickle cache in the user cache folder
    engine: str = "auto"       # propagation: numpy level sweeps, numba kernels, or auto
    spef: str | None = None    # SPEF parasitics (RC delay calculation on the nets it covers)
    # parasitics of the max (setup) / min (hold) analysis alone, replacing `spef` for it
    # (read_spef -max / -min; spef_minmax.py)
    spef_max: str | None = None
    spef_min: str | None = None


def design_names(netlist: Netlist, libs: list[Library]) -> DesignNames:
    """What SDC object queries can match in this design."""
    cells = merged_cells(libs)

    def pin_table() -> dict[str, str]:
        return {f"{i.name}/{p}": cells[i.cell].pins[p].direction
                for i in netlist.instances for p in i.conns if p in cells[i.cell].pins}

    def connections() -> tuple[dict[str, str], dict[str, str]]:
        names = netlist.net_names
        pin_net = {f"{i.name}/{p}": names[n] for i in netlist.instances
                   for p, n in i.conns.items() if p in cells[i.cell].pins and n > 1}
        port_net = {p.name: names[p.net] for p in netlist.ports if p.net > 1}
        return pin_net, port_net

    return DesignNames(
        ports=[(p.name, p.direction) for p in netlist.ports],
        cells={i.name: i.cell for i in netlist.instances},
        nets=netlist.net_names[2:],
        register_cells={i.name for i in netlist.instances if cells[i.cell].sequential},
        pin_table=pin_table, lib_cells=list(cells), connections=connections,
        libraries=[(lib.name, list(lib.cells)) for lib in libs],
        hierarchical=netlist.hierarchical, top=netlist.top)


def pin_lister(libs: list[Library]):
    """The `cell_pins` callback of read_netlist_text: a cell's signal pins in Liberty order
    (for ordered connections), then its power pins; None for a cell no library has."""
    cells = merged_cells(libs)

    def cell_pins(name: str):
        cell = cells.get(name)
        return None if cell is None else list(cell.pins) + cell.pg_pins

    return cell_pins


def load(params: StaParams) -> tuple[TimingGraph, Constraints, list[Library]]:
    return next(load_corners(params, [params.liberty]))


def load_corners(params: StaParams, corner_libs: list[tuple[str, ...]],
                 corner_spefs: list[str | tuple[str, str] | None] | None = None
                 ) -> Iterator[tuple[TimingGraph, Constraints, list[Library]]]:
    """Each corner's (graph, constraints, libraries), one corner per list of Liberty files,
    in order (so errors come in the order of a corner-by-corner reading). The netlist, the
    SDC and the SPEF are read once: corners whose libraries agree on what the netlist and
    the SDC see (units, cells, pins, directions) share the netlist and the constraints, and
    their graphs share every array but the tables, capacitances and loads
    (graph.for_libraries); a library file named by several corners is read once. A corner
    whose libraries differ more gets its own netlist, SDC and graph. `corner_spefs`: each
    corner's SPEF file, (max file, min file) (spef_minmax.py) or None (default: params'
    for every corner), each file read once."""
    if not corner_libs or not all(corner_libs):
        raise InputError("no Liberty library given")
    read: dict[str, Library] = {}
    first = None       # (signature, netlist, constraints, libraries, graph before use)
    spefs: dict[str, object] = {}
    if corner_spefs is None:
        from edapipe.timing.spef_minmax import spef_pair
        corner_spefs = [spef_pair(params.spef, params.spef_max, params.spef_min)] * \
            len(corner_libs)
    for paths, spef_path in zip(corner_libs, corner_spefs):
        libs = [read[p] if p in read else read.setdefault(
            p, read_liberty(p, use_cache=params.use_cache)) for p in paths]
        sig = _signature(libs)
        if first is None or sig != first[0]:
            netlist, sdc = _read_design(params, libs)
            graph = build_graph(netlist, libs, sdc, wire_load=params.wire_load)
            if first is None:
                # a copy of the graph as build_graph left it: the later corners' graphs
                # are derived from it (this one gets warnings and parasitics below)
                first = (sig, netlist, sdc, libs,
                         dataclasses.replace(graph, warnings=list(graph.warnings)))
        else:
            _, netlist, sdc, base_libs, base = first
            graph = (for_libraries(base, base_libs, libs, sdc, params.wire_load)
                     or build_graph(netlist, libs, sdc, wire_load=params.wire_load))
        graph.warnings[:0] = netlist.warnings
        if spef_path is not None:
            from edapipe.timing import rc
            pair = spef_path if isinstance(spef_path, tuple) else (spef_path,)
            for path in pair:
                if path is not None and path not in spefs:
                    from edapipe.timing.spef import read_spef_text
                    spef_text = read_bytes(path).decode("utf-8", errors="replace")
                    spefs[path] = read_spef_text(spef_text, display_name(path))
                    del spef_text
            if len(pair) == 1:
                graph.warnings += rc.annotate(graph, spefs[pair[0]], sdc)
            else:   # read_spef -max / -min: parasitics per analysis
                from edapipe.timing.spef_minmax import annotate_min_max
                graph.warnings += annotate_min_max(
                    graph, *(None if p is None else spefs[p] for p in pair), sdc,
                    tuple("" if p is None else display_name(p) for p in pair))
            if graph.multi:
                from edapipe.timing.multidrive import check_parasitics
                check_parasitics(graph, ", ".join(display_name(p) for p in pair if p))
        yield graph, sdc, libs


def _read_design(params: StaParams, libs: list[Library]) -> tuple[Netlist, Constraints]:
    text = read_bytes(params.netlist).decode("utf-8", errors="replace")
    netlist = read_netlist_text(text, display_name(params.netlist), pin_lister(libs),
                                params.top)
    del text
    if params.sdc is None:
        return netlist, Constraints()
    sdc_text = read_bytes(params.sdc).decode("utf-8", errors="replace")
    return netlist, read_sdc_text(sdc_text, display_name(params.sdc),
                                  design_names(netlist, libs), libs[0].time_unit,
                                  libs[0].cap_unit)


def _signature(libs: list[Library]) -> tuple:
    """What reading the netlist and the SDC takes from the libraries: units, cell names (in
    order, for get_lib_cells), each cell's pins in order with their directions, power pins,
    and whether it is sequential."""
    sigs = tuple(lib.reading_signature for lib in libs)
    if None in sigs:
        sigs = (reading_signature(merged_cells(libs)),)
    # (per library, worked out at parsing: no cached cell is unpickled for it; stricter
    # than the merged cells' only where several libraries name one cell)
    return (libs[0].time_unit, libs[0].cap_unit, sigs)


def run_sta(params: StaParams) -> Analysis:
    graph, sdc, libs = load(params)
    return analyze(graph, sdc, libs, params.engine)
