from rarepath.cli import main
from rarepath.errors import InputError


def test_one_line_names_source_field_and_problem():
    err = InputError("age -3 is impossible\n(must be >= 0)", source="case.yaml", field="patient.age")
    assert err.one_line() == "case.yaml: patient.age: age -3 is impossible (must be >= 0)"


def test_unknown_command_is_one_line_exit_2(capsys):
    assert main(["no-such-command"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no-such-command" in err
