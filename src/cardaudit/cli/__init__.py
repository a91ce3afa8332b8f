"""The command-line interface: parse flags, call the library, print. Nothing else."""

import os

from cardaudit.settings import set_aside_unusable_hub_environment

set_aside_unusable_hub_environment(os.environ)  # before any command imports huggingface_hub
