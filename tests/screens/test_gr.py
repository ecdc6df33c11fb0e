"""GR metrics (Hafner et al. 2016) cross-checked against the GRmetrics R package's outputs on its toy data."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from conftest import shared_path
from rarepath.cli import main
from rarepath.screens.gr import gr_metrics, gr_table, gr_values

KEYS = ("cell_line", "agent", "perturbation", "replicate", "time")


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(open(shared_path("screens", "grmetrics", name)), delimiter="\t"))


def test_gr_values_match_grmetrics():
    rows = _rows("R_input1_GRvalues.tsv")
    got = gr_values([float(r["cell_count"]) for r in rows], [float(r["cell_count__ctrl"]) for r in rows],
                    [float(r["cell_count__time0"]) for r in rows])
    np.testing.assert_allclose(got, [float(r["GR"]) for r in rows], rtol=1e-10, atol=1e-12)


def test_gr_metrics_match_grmetrics_r_within_1e3():
    out = gr_table(_rows("toy_example_input1.tsv"))
    ref = {tuple(r[k] for k in KEYS): r for r in _rows("R_input1_GRmetrics.tsv")}
    assert len(out) == len(ref) == 112
    finite = 0
    for o in out:
        r = ref[tuple(o[k] for k in KEYS)]
        assert o["fit"] == r["fit"], (o, r)
        for m in ("GR50", "GRmax", "GR_AOC"):
            want = float(r[m])
            if np.isfinite(want):
                assert o[m] == pytest.approx(want, rel=1e-3), (m, o, r)
                finite += m == "GR50"
            else:
                assert o[m] == want  # +inf / -inf as GRmetrics
    assert finite == 95  # GRmetrics: 95 finite GR50, 17 infinite (12 flat fits)


def test_gr_metrics_flat_and_too_few_points():
    c = np.repeat(np.logspace(-3, 1, 9), 2)
    flat = gr_metrics(c, 0.9 + 0.01 * np.sin(np.arange(c.size)))
    assert flat.fit == "flat" and flat.GR50 == np.inf and np.isnan(flat.GEC50)
    dead = gr_metrics(c, np.full(c.size, 0.2))
    assert dead.fit == "flat" and dead.GR50 == -np.inf
    few = gr_metrics([0.1, 1.0, 10.0], [0.9, 0.5, 0.1])
    assert few.fit == "failed" and np.isnan(few.GR50)


def test_cli_gr(tmp_path, capsys):
    src = shared_path("screens", "grmetrics", "toy_example_input1.tsv")
    out = tmp_path / "gr.tsv"
    assert main(["screen", "gr", str(src), "--tsv", str(out)]) == 0
    assert "112 conditions (12 flat)" in capsys.readouterr().out
    rows = list(csv.DictReader(open(out), delimiter="\t"))
    assert {"GR50", "GRmax", "GR_AOC", "GEC50", "GRinf", "h_GR", "fit"} <= set(rows[0])
    bad = tmp_path / "bad.tsv"
    bad.write_text("cell_line\tconcentration\tcell_count\nA\t1\t10\n")
    assert main(["screen", "gr", str(bad), "--tsv", str(tmp_path / "o.tsv")]) == 2
    err = capsys.readouterr().err
    assert "cell_count__time0" in err and "Traceback" not in err
