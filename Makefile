.PHONY: run test test-fast setup bench eval agreement validate load run-cluster

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

run-cluster: setup  ## PostgreSQL + Redis + 2 Rasa + 2 action servers behind nginx on :5005
	CLUSTER_SKIP_SETUP=1 bash scripts/cluster.sh

load: setup  ## load benchmark against plain Rasa (QUICK=1: a short run); bench/load-report.txt
	.venv/bin/python -m bench.load $(if $(QUICK),--quick,)
