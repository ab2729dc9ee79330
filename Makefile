.PHONY: run test test-fast setup bench eval agreement validate

run:        ## set up (first time: a few minutes) and serve on http://localhost:5005
	bash scripts/run.sh

test:       ## set up and run lint + all tests
	bash scripts/test.sh

test-fast:  ## lint + the tests that need no servers and no browser (no training): the inner loop
	bash scripts/test-fast.sh

setup:
	bash scripts/setup.sh

bench: setup  ## speed, memory and persona-variety figures
	bash scripts/bench.sh

eval: setup   ## NLU evaluation on the held-out sets (written and spoken), with a TF-IDF baseline
	.venv/bin/python -m bench.nlu_eval --model models/hw.tar.gz
	.venv/bin/python -m bench.nlu_spoken --model models/hw.tar.gz

agreement: setup  ## scorer agreement with the reference transcripts
	.venv/bin/python -m bench.agreement

validate: setup  ## check persona files
	.venv/bin/python -m bot personas validate data/personas
