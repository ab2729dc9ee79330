#!/usr/bin/env bash
# Benchmarks: persona variety, serving latency and memory. Figures are printed
# and written to bench/*-report.txt.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
echo "==> persona variety (scripted rehearsals through the engine)"
"$PY" -m bench.personas
echo "==> detail questions (does the client answer the detail it is asked for?)"
"$PY" -m bench.detail_questions
echo "==> serving"
"$PY" -m bench.serve
echo "==> scripted rehearsals through the real NLU (needs the trained model)"
"$PY" -m bench.nlu_rehearsals
