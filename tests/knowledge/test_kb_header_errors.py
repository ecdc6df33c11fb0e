"""A header the csv module cannot read (a field over its size limit) is a one-line InputError, not a traceback."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from rarepath.errors import InputError
from rarepath.knowledge.importers import drugcentral, g2p, gnomad


def _huge_header(tmp_path: Path, name: str, sep: str) -> Path:
    p = tmp_path / name
    p.write_text(sep.join(["gene", '"' + "x" * 200_000 + '"']) + "\n")
    return p


@pytest.mark.parametrize("module,name,sep", [(gnomad, "gnomad_v2.1_constraint_canonical.tsv", "\t"),
                                             (g2p, "DDG2P.csv", ",")])
def test_oversized_header_field(tmp_path: Path, module, name, sep):
    path = _huge_header(tmp_path, name, sep)
    with pytest.raises(InputError, match="header"):
        module.parse(path)


def test_oversized_header_field_drugcentral(tmp_path: Path):
    p = tmp_path / "drug.target.interaction.tsv.gz"
    with gzip.open(p, "wt") as fh:
        fh.write("DRUG_NAME\t\"" + "x" * 200_000 + "\"\n")
    with pytest.raises(InputError, match="header"):
        drugcentral.parse(p)
