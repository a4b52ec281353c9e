"""Dead-letter Lambda: every DLQ's consumer, ending the run a dead message belonged to."""

from functions.handlers.base import sqs_handler
from functions.protocol import dead_lettered

work = dead_lettered
handler = sqs_handler(work, door="dead_letters")
