"""The `hotline` command (pyproject.toml's console script): a click group, `hotline.cli.main.hotline`,
with one module here per noun. Each calls the same functions the web app and the worker do.

    main.py       the group, and the list of commands it holds (COMMANDS)
    common.py     what the commands share: logging, the hotline's services, the staff's clock
    processes.py  hotline serve, hotline worker
    db.py         hotline db upgrade
    flows.py      hotline flows check | test
    chat.py       hotline chat
    outbox.py     hotline outbox
    staff.py      hotline staff import | list | set-password | set-pin | sign-out
    keys.py       hotline keys rotate
    audit.py      hotline audit export
    exotel.py     hotline exotel check

A new command: a module here defining a click command (or a click group for a noun with several
verbs), added to COMMANDS in main.py. A command's return value is its exit code (None is 0);
one that reads or writes the store gets the hotline's services from `common.services()`, which
refuses a store that `hotline db upgrade` has not brought up to date. Keep imports of the
hotline's heavier parts inside the command's function: `hotline flows check` and `hotline
--help` load no database driver. Tests run commands in process with click's CliRunner
(tests/cli.py)."""
