"""A Spark SQL Thrift server on this machine, for development and the tests: the one the
``pyspark`` package bundles, in local mode, its warehouse and metastore under ``var/spark``.

    python -m warehouse.spark_local start     # waits until it answers, prints its URL
    python -m warehouse.spark_local stop

A cluster's Thrift server (or Databricks SQL) is reached the same way: ``PILOTAGE_ENGINE_URL``.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / "var" / "spark"
HOST, PORT = "127.0.0.1", int(os.environ.get("PILOTAGE_SPARK_PORT", "10001"))
URL = f"hive://{HOST}:{PORT}/default"
STARTUP_S = 180


def running() -> bool:
    """Whether a server answers on the port."""
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((HOST, PORT)) == 0


def _pid_file() -> Path:
    return HOME / "thriftserver.pid"


def start() -> str:
    """Start the server unless one answers already; its URL once it takes queries."""
    if running():
        return URL
    import pyspark
    spark_home = Path(pyspark.__file__).parent
    HOME.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SPARK_HOME=str(spark_home), PYSPARK_PYTHON=sys.executable,
               SPARK_LOG_DIR=str(HOME / "logs"), SPARK_PID_DIR=str(HOME))
    command = [str(spark_home / "bin" / "spark-submit"), "--master", "local[2]",
               "--class", "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
               "--driver-memory", os.environ.get("PILOTAGE_SPARK_MEMORY", "4g"),
               "--conf", f"spark.sql.warehouse.dir={HOME / 'warehouse'}",
               "--conf", f"spark.driver.extraJavaOptions=-Dderby.system.home={HOME}",
               "--conf", "spark.sql.session.timeZone=UTC",
               "--conf", "spark.sql.shuffle.partitions=4",
               "--conf", "spark.ui.enabled=false",
               "--hiveconf", f"hive.server2.thrift.port={PORT}",
               "--hiveconf", f"hive.server2.thrift.bind.host={HOST}",
               "spark-internal"]
    log = open(HOME / "thriftserver.log", "ab")
    process = subprocess.Popen(command, env=env, cwd=HOME, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    _pid_file().write_text(str(process.pid))
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Spark server stopped at start; see {HOME / 'thriftserver.log'}")
        if running():
            return URL
        time.sleep(1)
    stop()
    raise RuntimeError(f"the Spark server did not answer within {STARTUP_S} s; see {HOME / 'thriftserver.log'}")


def stop() -> None:
    """Stop the server this module started (its whole process group)."""
    pid_file = _pid_file()
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text())
    try:
        os.killpg(pid, signal.SIGTERM)
        for _ in range(30):
            os.kill(pid, 0)
            time.sleep(0.5)
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    pid_file.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m warehouse.spark_local", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("start", "stop"))
    args = parser.parse_args(argv)
    if args.action == "start":
        print(start())
    else:
        stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
