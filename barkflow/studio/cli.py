"""`barkflow-studio project=NAME [any override] [--port N]`: the studio over one project.

The project is composed by Hydra exactly as `barkflow` composes it (same configs, overrides, cache
and output folder); `--port` (default 8765; 0: any free port) is the studio's own option.
"""

from __future__ import annotations

import sys

import hydra
from omegaconf import DictConfig

from barkflow import cli
from barkflow.errors import BarkflowError

DEFAULT_PORT = 8765
_options = {"port": DEFAULT_PORT}


def serve(cfg: DictConfig) -> None:
    from barkflow.studio.app import Server, bind, make_app, new_token, url
    from barkflow.studio.session import Studio

    config = cli.checked_config(cfg)
    token = new_token()
    sock = bind(_options["port"])
    studio = Studio(config, cli._config_dirs()).start()
    print(f"barkflow-studio: {config.project.name}: open this address (Ctrl+C stops it):", file=sys.stderr, flush=True)
    print(url(sock, token), flush=True)  # stdout holds the address alone, for a person or a script
    try:
        Server(make_app(studio, token), sock).run()
    finally:
        studio.stop()


@hydra.main(version_base="1.3", config_path="pkg://barkflow.conf", config_name="config")
def _studio_main(cfg: DictConfig):
    return cli.run_task(serve, cfg, prog="barkflow-studio")


def _take_port(argv: list[str]) -> list[str]:
    """Remove `--port N` (or `--port=N`) from the arguments Hydra reads, into `_options`."""
    rest, args = [], iter(argv)
    for arg in args:
        if arg == "--port" or arg.startswith("--port="):
            value = arg.partition("=")[2] if "=" in arg else next(args, "")
            if not (value.isascii() and value.isdecimal()) or int(value) > 65535:
                raise BarkflowError(f"--port {value!r}: give a port number, 0-65535 (0: any free port)")
            _options["port"] = int(value)
        else:
            rest.append(arg)
    return rest


def main() -> None:
    try:
        sys.argv = [sys.argv[0], *_take_port(sys.argv[1:])]
    except BarkflowError as e:
        cli.exit_with_error("barkflow-studio", str(e))
    cli.main(_studio_main, prog="barkflow-studio")


if __name__ == "__main__":
    main()
