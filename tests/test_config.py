"""Configuration files: discovery, every key, and clear errors for mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from redislint.cli import main
from redislint.config import ConfigError, enabled_codes, find_config_file, load_config, parse_config
from redislint.rules import ALL_RULES

SOURCE = """import redis
r = redis.Redis()
def cache_user(uid):
    r.set(f"config:{uid}", 1)
    r.set(f"user:{uid}", 1)
    r.keys("*")
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--format", "concise", *args])
    return result.exit_code, result.stdout, result.stderr


def test_defaults_enable_default_rules() -> None:
    codes = enabled_codes(load_config(start=Path("/")))
    assert codes == {r.code for r in ALL_RULES if r.default_enabled}


def test_pyproject_table_is_found_walking_up(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.redislint]\nselect = ["RL3"]\n')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config_file(nested) == tmp_path / "pyproject.toml"
    assert load_config(start=nested).select == ["RL3"]


def test_pyproject_without_table_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    assert find_config_file(tmp_path) is None


def test_redislint_toml_has_no_table_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "redislint.toml", 'ignore = ["RL101"]\n')
    write(tmp_path / "app.py", SOURCE)
    code, out, _ = run(tmp_path, monkeypatch, "app.py")
    assert code == 1 and "RL101" not in out and "RL301" in out


def test_dot_redislint_toml(tmp_path: Path) -> None:
    write(tmp_path / ".redislint.toml", "cluster = true\n")
    assert load_config(start=tmp_path).settings.cluster is True


def test_every_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        tmp_path / "pyproject.toml",
        """
[tool.redislint]
select = ["RL1"]
extend-select = ["RL3"]
ignore = ["keys-command"]
exclude = ["generated"]
extend-exclude = ["legacy/*.py"]
per-file-ignores = { "scripts/*.py" = ["RL101"] }
client-name-patterns = ["redis", "Cache"]
persistent-key-patterns = ["config:*"]
test-paths = ["spec/"]
cluster = false
target-redis-version = "6.2"
""",
    )
    write(tmp_path / "app.py", SOURCE)
    write(tmp_path / "scripts" / "tool.py", SOURCE)
    write(tmp_path / "generated" / "x.py", SOURCE)
    write(tmp_path / "legacy" / "old.py", SOURCE)
    config = load_config(start=tmp_path)
    assert config.settings.client_name_patterns == ("redis", "cache")
    assert config.settings.target_redis_version == (6, 2)
    assert config.settings.test_paths == ("spec/",)
    code, out, _ = run(tmp_path, monkeypatch, ".")
    lines = out.splitlines()
    assert "app.py:5:5: RL101" in out  # user:{uid}
    assert "app.py:4:5: RL101" not in out  # config:{uid} is persistent
    assert "RL301" not in out  # ignored by name
    assert not any(line.startswith("scripts/tool.py") and "RL101" in line for line in lines)
    assert "generated/" not in out and "legacy/" not in out
    assert code == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("select = 'RL101'", "'select' must be a list of strings"),
        ("cluster = 'yes'", "'cluster' must be true or false"),
        ("target-redis-version = 'latest'", "'target-redis-version' must be a version string"),
        ("selekt = ['RL1']", "unknown key 'selekt'; allowed keys: client-name-patterns, cluster"),
        ("ignore = ['RL9999']", "'ignore' has unknown rule selector 'RL9999'"),
        ("per-file-ignores = ['x']", "'per-file-ignores' must be a table"),
        ("select = [", "invalid TOML"),
    ],
)
def test_bad_config_names_file_key_and_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    config = write(tmp_path / "pyproject.toml", f"[tool.redislint]\n{text}\n")
    write(tmp_path / "app.py", SOURCE)
    code, out, err = run(tmp_path, monkeypatch, "app.py")
    assert code == 2
    assert out == ""
    assert str(config) in err
    assert expected in err
    assert "Traceback" not in err


def test_explicit_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "custom.toml", 'select = ["RL301"]\n')
    write(tmp_path / "app.py", SOURCE)
    code, out, _ = run(tmp_path, monkeypatch, "--config", "custom.toml", "app.py")
    assert code == 1 and "RL301" in out and "RL101" not in out


def test_missing_explicit_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run(tmp_path, monkeypatch, "--config", "nope.toml", ".")
    assert code == 2 and "nope.toml: configuration file not found" in err


def test_command_line_overrides_select(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "redislint.toml", 'select = ["RL301"]\n')
    write(tmp_path / "app.py", SOURCE)
    code, out, _ = run(tmp_path, monkeypatch, "--select", "RL101", "app.py")
    assert code == 1
    assert "RL101" in out and "RL301" not in out


def test_all_selects_off_by_default_rules() -> None:
    codes = enabled_codes(parse_config({"select": ["ALL"]}, None))
    assert codes == {r.code for r in ALL_RULES}


def test_prefix_selects_default_rules_only() -> None:
    codes = enabled_codes(parse_config({"select": ["RL0"]}, None))
    assert "RL000" in codes and "RL001" not in codes
    codes = enabled_codes(parse_config({"select": ["RL001"]}, None))
    assert "RL001" in codes
    # RL303 unbounded-collection-read is off by default: a prefix leaves it out ...
    codes = enabled_codes(parse_config({"select": ["RL3"]}, None))
    assert {"RL301", "RL302"} <= codes and "RL303" not in codes
    # ... its code or name selects it ...
    for selector in ("RL303", "unbounded-collection-read"):
        codes = enabled_codes(parse_config({"extend-select": [selector]}, None))
        assert "RL303" in codes and "RL101" in codes
    # ... and ignoring the prefix drops it even when ALL selected it
    codes = enabled_codes(parse_config({"select": ["ALL"], "ignore": ["RL3"]}, None))
    assert not any(c.startswith("RL3") for c in codes)


def test_parse_config_errors_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="unknown key 'nope'"):
        parse_config({"nope": 1}, None)
