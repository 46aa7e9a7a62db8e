"""Production mode refuses unsafe settings and passes Django's deployment checks."""

import os
import subprocess
import sys

import pytest

SAFE = {
    "SANAD_ENV": "production",
    "SANAD_DEBUG": "false",
    "SANAD_SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-for-tests-0123456789",
    "SANAD_ALLOWED_HOSTS": "sanad.example.org",
}


def run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SANAD_") and k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "sanad.settings",
            "SANAD_ENV_FILE": "/nonexistent",
            "SANAD_VAR_DIR": os.environ.get("SANAD_VAR_DIR", "/tmp/sanad-settings-test"),
        }
    )
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"SANAD_DEBUG": "true"}, "SANAD_DEBUG is on"),
        ({"SANAD_SECRET_KEY": ""}, "SANAD_SECRET_KEY"),
        ({"SANAD_ALLOWED_HOSTS": ""}, "SANAD_ALLOWED_HOSTS is empty"),
    ],
)
def test_production_mode_refuses_to_start_with_unsafe_settings(override, complaint):
    env = {**SAFE, **override}
    env = {k: v for k, v in env.items() if v != ""}
    result = run("import django; django.setup()", **env)
    assert result.returncode != 0
    assert "refuses to start in production mode" in result.stderr and complaint in result.stderr


def test_production_mode_passes_the_deployment_checks():
    result = run(
        "from django.core.management import execute_from_command_line as m; "
        "m(['sanad', 'check', '--deploy', '--fail-level', 'WARNING'])",
        **SAFE,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_a_bad_boolean_in_the_environment_is_named():
    result = run("import django; django.setup()", SANAD_DEBUG="maybe")
    assert result.returncode != 0 and "SANAD_DEBUG must be true or false" in result.stderr


def test_every_setting_variable_is_documented_in_env_example():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    used = set(
        re.findall(
            r'env(?:_bool|_int|_list)?\("([A-Z_]+)"', (root / "sanad" / "settings.py").read_text()
        )
    )
    used |= {"DATABASE_URL", "SANAD_ENV_FILE"}
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (root / ".env.example").read_text(), re.M))
    assert used - documented == set()
