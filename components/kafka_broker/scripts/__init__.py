"""The broker container's programs (bash, run with ``bash -c``) and its log configuration."""

from __future__ import annotations

from pathlib import Path

from components import shell
from components.kafka_broker.image import KAFKA_LIBS
from components.kafka_broker.properties import CONFIG_DIR, DATA_DIR, JAAS_FILE, SECRETS_DIR
from components.kafka_broker.spec import LOCAL_PORT

DIRECTORY = Path(__file__).parent

START = shell.load(
    DIRECTORY / "start.sh",
    KAFKA_LIBS=KAFKA_LIBS,
    DATA_DIR=DATA_DIR,
    CONFIG_DIR=CONFIG_DIR,
    SECRETS_DIR=SECRETS_DIR,
    JAAS_FILE=JAAS_FILE,
)
TOPICS = shell.load(DIRECTORY / "topics.sh", KAFKA_LIBS=KAFKA_LIBS, LOCAL_PORT=str(LOCAL_PORT))
LOG4J2 = (DIRECTORY / "log4j2.properties").read_text()
