# Sourced by the other scripts: project root, quiet start-up, no telemetry.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ROOT
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export TF_CPP_MIN_LOG_LEVEL=3
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export RASA_TELEMETRY_ENABLED=false
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
MODEL="$ROOT/models/hw.tar.gz"
