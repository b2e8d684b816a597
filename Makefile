# Pilotage: `make run` serves the dashboard on a demo database, `make test` runs every test.
VENV   ?= .venv
PY     := $(VENV)/bin/python
DB     ?= $(or $(PILOTAGE_DB),var/pilotage.duckdb)
DEMO_CONTACTS ?= 300000
SUDO   := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: run test demo browser java spark-start spark-stop bench bench-100m bench-spark clean

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

$(DB): | $(VENV)/.installed
	$(PY) -m data demo --db $(DB) --contacts $(DEMO_CONTACTS)

run: $(VENV)/.installed $(DB)
	PILOTAGE_DB=$(DB) $(PY) app.py

demo: $(VENV)/.installed
	rm -f $(DB) $(DB).wal
	$(PY) -m data demo --db $(DB) --contacts $(DEMO_CONTACTS)

# Debian's Chromium and its driver for the browser tests, poppler for reading PDF exports
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! command -v pdftoppm >/dev/null; then \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver poppler-utils >/dev/null; \
	fi

# a Java runtime for the local Spark SQL server
java:
	@if ! command -v java >/dev/null; then \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq openjdk-17-jre-headless >/dev/null; \
	fi

# a Spark SQL Thrift server on this machine (hive://127.0.0.1:10001), left running until spark-stop
spark-start: $(VENV)/.installed java
	$(PY) -m warehouse.spark_local start

spark-stop:
	$(PY) -m warehouse.spark_local stop

# every test; those on Spark SQL (pytest -m spark) start a local server if none runs, and stop it
test: $(VENV)/.installed browser java
	$(PY) -m pytest -q

# demo databases of 1 and 10 million contacts (built once, in var/), every page's callbacks
# timed against DuckDB's floor (bench/results.md), then every page in headless Chromium at
# 10 million (bench/page_load.md)
bench: $(VENV)/.installed browser
	$(PY) -m bench.callbacks --sizes 1000000 10000000 --out bench/results.md
	$(PY) -m bench.page_load --size 10000000 --runs 5 --out bench/page_load.md

# 100 million contacts on DuckDB (the demo built part by part), the server's DuckDB held to 3 GB
bench-100m: $(VENV)/.installed
	PILOTAGE_DB_MEMORY_GB=3 $(PY) -m bench.callbacks --sizes 100000000 --runs 24 --out bench/results-100m.md

# the same callbacks at 10 million contacts on a local Spark SQL server, beside DuckDB
bench-spark: spark-start
	$(PY) -m bench.callbacks --sizes 10000000 --runs 24 --engine-url hive://127.0.0.1:10001/bench --out bench/spark.md

clean:
	rm -rf $(VENV) var .pytest_cache
