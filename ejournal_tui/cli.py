"""`ejournal`: the journal (default), the demo, database and account administration."""

import argparse
import sys

import psycopg

from ejournal_tui import i18n
from ejournal_tui.settings import Settings, config_file, reload
from ejournal_tui.terminal import safe, say

DEMO_LOGINS = {
    "teacher": "o1_teacher01",
    "methodist": "o1_methodist",
    "deputy": "o1_deputy",
    "director": "o1_director",
    "admin": "o1_admin",
}


# Said when no server is configured and none answers (the demo server is not running).
NO_SERVER_HINT = ("Сервер базы данных не задан или не запущен. Демо-журнал: ./scripts/demo (или ejournal demo); "
                  "свой сервер: ejournal --dsn «…» или переменная EJOURNAL_DSN.")


class CliError(RuntimeError):
    pass


def build_parser() -> argparse.ArgumentParser:
    i18n.install_argparse()
    p = argparse.ArgumentParser(
        prog="ejournal",
        description="Электронный журнал ДТ «Кванториум». Без команды открывает журнал.",
    )
    p.add_argument("--dsn", help="строка подключения libpq (иначе EJOURNAL_DSN, PG*-переменные, PGSERVICE)")
    p.add_argument("--embedded", action="store_true",
                   help="работать со встроенным демо-сервером (как его суперпользователь)")
    sub = p.add_subparsers(dest="command", metavar="КОМАНДА")

    sub.add_parser("tui", help="открыть журнал (по умолчанию)")
    sub.add_parser("password", help="сменить свой пароль для работы по локальной сети")
    conf = sub.add_parser("settings", help="файл настроек, действующие значения и имена клавиш для [keymap]")
    conf.add_argument("--keys", action="store_true", help="перечислить клавиши: имя, клавиша, действие")

    demo = sub.add_parser("demo", help="встроенный сервер с демо-данными и журнал от имени демо-сотрудника")
    demo.add_argument("--as", dest="as_role", choices=sorted(DEMO_LOGINS), default="teacher",
                      help="чью роль показать (по умолчанию teacher)")
    demo.add_argument("--reset", action="store_true", help="заново создать демо-базу")
    demo.add_argument("--no-tui", action="store_true", help="только подготовить базу и выйти")

    data = sub.add_parser("demo-data", help="загрузить синтетические демо-данные в пустую базу")
    data.add_argument("--size", choices=["small", "region"], default="small")
    data.add_argument("--seed", type=int, default=1)
    data.add_argument("--scale", type=float, default=1.0, help="доля масштаба region (для тестов)")

    arch = sub.add_parser("archive-export",
                          help="твёрдые копии и данные архивных итераций в папку (для резервных копий)")
    arch.add_argument("--dir", required=True, help="папка, например /var/backups/ejournal/archive")

    db = sub.add_parser("db", help="миграции базы данных")
    dbsub = db.add_subparsers(dest="db_command", metavar="ДЕЙСТВИЕ", required=True)
    dbsub.add_parser("migrate", help="применить новые миграции")
    dbsub.add_parser("status", help="показать применённые и ожидающие миграции")

    admin = sub.add_parser("admin", help="учётные записи сотрудников")
    asub = admin.add_subparsers(dest="admin_command", metavar="ДЕЙСТВИЕ", required=True)
    add = asub.add_parser("add-user", help="выдать учётную запись: роль PostgreSQL и сотрудник")
    add.add_argument("login", metavar="ЛОГИН")
    add.add_argument("--role", action="append", required=True,
                     help="teacher, methodist, deputy, director или admin (можно несколько раз)")
    add.add_argument("--name", required=True, help="«Фамилия Имя Отчество»")
    add.add_argument("--organization", type=int, help="номер организации (если их несколько)")
    add.add_argument("--os-user", action="store_true",
                     help="создать и пользователя ОС для входа по SSH (на сервере, от root)")
    add.add_argument("--ssh-key", metavar="ФАЙЛ", help="открытый ключ SSH (.pub) для --os-user")
    add.add_argument("--password", action="store_true",
                     help="выдать одноразовый пароль для работы по локальной сети (показывается один раз)")
    pw = asub.add_parser("set-password", help="выдать новый одноразовый пароль (действует неделю)")
    pw.add_argument("login", metavar="ЛОГИН")
    roles = asub.add_parser("set-roles", help="задать роли учётной записи (новая роль с доступом к данным "
                                              "обучающихся — после подтверждения директором)")
    roles.add_argument("login", metavar="ЛОГИН")
    roles.add_argument("--role", action="append", required=True,
                       help="teacher, methodist, deputy, director или admin (можно несколько раз)")
    org = asub.add_parser("add-organization", help="добавить организацию (технопарк); от суперпользователя")
    org.add_argument("name", metavar="НАЗВАНИЕ", help="полное название")
    org.add_argument("--unit", help="структурное подразделение, например «ДТ «Кванториум»»")
    org.add_argument("--director", help="ФИО директора")
    org.add_argument("--address")
    org.add_argument("--time-zone", help="часовой пояс IANA, по умолчанию Europe/Moscow (например, Asia/Vladivostok)")
    lock = asub.add_parser("lock-user", help="заблокировать вход")
    lock.add_argument("login", metavar="ЛОГИН")
    unlock = asub.add_parser("unlock-user", help="разблокировать вход")
    unlock.add_argument("login", metavar="ЛОГИН")
    asub.add_parser("list-users", help="список учётных записей")

    from ejournal_tui.reports import cli as reports_cli

    reports_cli.add_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from pydantic import ValidationError

    from ejournal_tui import log

    try:
        settings = reload()
    except ValidationError as exc:  # the user's own file or variables: show them what is wrong
        say(f"ejournal: ошибка в настройках ({config_file()} или переменные EJOURNAL_*):\n{exc}", sys.stderr)
        return 2
    if args.dsn:
        settings = settings.model_copy(update={"dsn": args.dsn})
    log.setup(settings)
    command = args.command or "tui"
    log.event("start", command=command)
    try:
        return _dispatch(args, settings)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one clear line, never a traceback with data in it
        from ejournal_tui.db.errors import user_message
        from ejournal_tui.db.migrations import MigrationError

        log.error("command failed", exc, command=command)
        msg = str(exc) if isinstance(exc, CliError | MigrationError) else user_message(exc)
        if isinstance(exc, psycopg.OperationalError) and not settings.server_configured():
            msg = NO_SERVER_HINT
        say(f"ejournal: {msg}", sys.stderr)
        return 1


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    command = args.command or "tui"
    if command == "demo":
        return _demo(args, settings)
    if command == "settings":
        return _settings(args, settings)
    if command == "tui":
        from ejournal_tui.tui.app import run_app

        if args.embedded:
            raise CliError("Для демо-сервера используйте: ejournal demo")
        run_app(settings.dsn or "", offline_hint="" if settings.server_configured() else NO_SERVER_HINT)
        return 0
    conninfo = _embedded(settings).ensure_database() if args.embedded else settings.dsn or ""
    from ejournal_tui import vocabulary
    from ejournal_tui.db.connection import connect, connect_for_reports
    from ejournal_tui.reports import cli as reports_cli

    # reports and exports only read: they may go to a standby (EJOURNAL_REPORT_DSN); a print
    # records its fingerprint, so it needs the primary
    read_only = command in ("report", "export") and not args.embedded
    with (connect_for_reports(conninfo) if read_only else connect(conninfo)) as conn:
        if command != "db":
            vocabulary.ensure(conn)
        try:
            if command == "db":
                return _db(args, conn)
            if command == "admin":
                return _admin(args, conn)
            if command == "demo-data":
                return _demo_data(args, conn)
            if command == "password":
                return _password(conn)
            if command == "archive-export":
                return _archive_export(args, conn)
            if command in reports_cli.COMMANDS:
                return reports_cli.run(args, conn)
        except psycopg.Error as exc:
            raise CliError(_explain(conn, exc)) from exc
    raise CliError(f"неизвестная команда {command}")


def _explain(conn, exc: Exception) -> str:
    """The Russian message, with the constraint texts the database keeps (if it has them yet)."""
    from ejournal_tui.db.errors import load_constraint_messages, user_message

    try:
        messages = load_constraint_messages(conn)
    except Exception:
        messages = {}
    return user_message(exc, messages)


def _settings(args, settings: Settings) -> int:
    """The file, the values in force (a DSN's password hidden), and with --keys the key ids."""
    from tabulate import tabulate

    if args.keys:
        from ejournal_tui.tui.keys import binding_ids

        keys = [(b.id, b.key, b.description) for b in binding_ids()]
        say(tabulate(keys, headers=["имя ([keymap])", "клавиша", "действие"]))
        return 0
    path = config_file()
    say(f"Файл настроек: {path}" + ("" if path.is_file() else " (его нет: значения по умолчанию)"))
    values = settings.model_dump(mode="json")
    log_values = values.pop("log")
    for name in ("dsn", "report_dsn"):
        if values[name]:
            params = psycopg.conninfo.conninfo_to_dict(values[name])
            if "password" in params:
                params["password"] = "***"
            values[name] = psycopg.conninfo.make_conninfo("", **params)
    rows: list[tuple[str, object]] = [
        *values.items(), *((f"log.{k}", v) for k, v in log_values.items()), ("(файл журнала)", settings.log_file)]
    say(tabulate(rows, tablefmt="plain"))
    return 0


def _embedded(settings: Settings):
    from ejournal_tui.db.embedded import EmbeddedServer

    return EmbeddedServer(settings.data_dir / "pgdata")


def _db(args, conn) -> int:
    from tabulate import tabulate

    from ejournal_tui.db import migrations

    if args.db_command == "migrate":
        done = migrations.migrate(conn)
        say("Применены: " + ", ".join(done) if done else "Новых миграций нет.")
        return 0
    names = {"applied": "применена", "pending": "ожидает", "changed": "ИЗМЕНЕНА после применения",
             "missing": "файла нет"}
    states = migrations.status(conn)
    say(tabulate([(safe(s.name), names[s.state], s.applied_at or "") for s in states],
                   headers=["миграция", "состояние", "когда"]))
    return 1 if any(s.state in ("changed", "missing") for s in states) else 0


def _admin(args, conn) -> int:
    from tabulate import tabulate

    from ejournal_tui.db import accounts
    from ejournal_tui.db.admin_accounts import awaiting

    if args.admin_command == "add-user":
        key = _prepare_os_user(args) if args.os_user else None
        issued = accounts.issue_account(conn, args.login, args.role, args.name, args.organization)
        if issued.staff_id is None:
            say(f"Учётная запись {args.login} ещё не действует. {awaiting(issued.request_id)}")
        else:
            say(f"Учётная запись {args.login} выдана (сотрудник № {issued.staff_id}).")
        if args.os_user:
            from ejournal_tui import system

            try:
                result = system.create_os_user(args.login, ssh_key=key, full_name=args.name)
            except system.OsAccountError as exc:
                raise CliError(f"учётная запись в базе выдана, но пользователь ОС не создан: {exc}") from exc
            for change in result.changes:
                say(f"  ОС: {change}")
        if args.password:
            if issued.staff_id is None:
                say("Пароль выдайте после подтверждения: ejournal admin set-password " + args.login)
            else:
                _print_password(args.login, accounts.issue_password(conn, args.login))
    elif args.admin_command == "set-password":
        _print_password(args.login, accounts.issue_password(conn, args.login))
    elif args.admin_command == "set-roles":
        request_id = accounts.set_roles(conn, args.login, args.role)
        say(awaiting(request_id) if request_id else f"Роли учётной записи {args.login} изменены.")
    elif args.admin_command == "add-organization":
        org_id = accounts.add_organization(conn, args.name, unit_name=args.unit, director_name=args.director,
                                           address=args.address, time_zone=args.time_zone)
        say(f"Организация № {org_id} добавлена.")
    elif args.admin_command in ("lock-user", "unlock-user"):
        locked = args.admin_command == "lock-user"
        request_id = accounts.set_locked(conn, args.login, locked)
        say(awaiting(request_id) if request_id else
            f"Учётная запись {args.login} {'заблокирована' if locked else 'разблокирована'}.")
    else:
        rows = [(safe(u.login), safe(u.full_name), ", ".join(u.roles),
                 "заблокирована" if u.is_locked else "активна") for u in accounts.list_users(conn)]
        rows += [(safe(r.login), safe(r.full_name), ", ".join(r.roles or []), "ждёт подтверждения")
                 for r in accounts.pending_requests(conn) if r.kind == "create"]
        say(tabulate(rows, headers=["логин", "ФИО", "роли", "состояние"], disable_numparse=True))
    return 0


def _archive_export(args, conn) -> int:
    from pathlib import Path

    from ejournal_tui.reports.archive import export_archived

    made = export_archived(conn, Path(args.dir))
    for folder in made:
        say(f"Выгружено: {folder}")
    if not made:
        say("Новых архивных итераций нет.")
    return 0


def _password(conn) -> int:
    import getpass

    from ejournal_tui.db import accounts

    login = accounts.whoami(conn).login
    first = getpass.getpass("Новый пароль: ")
    if len(first) < 10:
        raise CliError("пароль должен быть не короче 10 символов")
    if getpass.getpass("Ещё раз: ") != first:
        raise CliError("пароли не совпадают")
    accounts.change_own_password(conn, login, first)
    say("Пароль изменён.")
    return 0


def _prepare_os_user(args) -> str | None:
    """Check the OS side before the database is touched, so a refusal leaves nothing half-made."""
    from ejournal_tui import system

    try:
        system.check_can_create(args.login)
        if not args.ssh_key:
            return None
        with open(args.ssh_key, encoding="utf-8") as f:
            return system.parse_ssh_key(f.read())
    except OSError as exc:
        raise CliError(f"Не удалось прочитать ключ {args.ssh_key}: {exc.strerror}") from exc
    except system.OsAccountError as exc:
        raise CliError(str(exc)) from exc


def _print_password(login: str, issued) -> None:
    from ejournal_tui.db.admin_accounts import awaiting

    say(f"Одноразовый пароль для {login}: {issued.password}")
    if issued.request_id:
        say(f"Пароль ещё не действует. {awaiting(issued.request_id)} Прежний пароль действует до тех пор.")
    say("Он показан один раз и действует 7 дней; сотрудник заменит его командой «ejournal password».")


def _demo_data(args, conn) -> int:
    try:
        from ejournal_tui.db.demo import load_demo_data
    except ImportError as exc:
        raise CliError("для демо-данных нужен пакет Faker: pip install 'ejournal[embedded]'") from exc

    counts = load_demo_data(conn, size=args.size, seed=args.seed, scale=args.scale)
    say("Загружено: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def prepare_demo(settings: Settings, reset: bool = False):
    """Start the private server, migrate it and load the small demo data once."""
    from ejournal_tui.db import accounts, migrations
    from ejournal_tui.db.connection import connect
    from ejournal_tui.db.demo import load_demo_data
    from ejournal_tui.db.embedded import DEMO_DATABASE

    server = _embedded(settings)
    if reset:
        server.drop_database(DEMO_DATABASE)
    conninfo = server.ensure_database()
    with connect(conninfo) as conn:
        try:
            migrations.migrate(conn)
        except migrations.MigrationError as exc:  # a demo database made by an earlier version
            raise migrations.MigrationError(
                f"{exc} Демо-база создана прежней версией журнала: ./scripts/demo --reset создаст её заново."
            ) from exc
        if not conn.execute("SELECT 1 FROM ej.organization LIMIT 1").fetchone():
            say("Загружаю демо-данные…", sys.stderr)
            load_demo_data(conn, size="small", seed=1)
        for role, login in DEMO_LOGINS.items():
            accounts.ensure_login_role(conn, login, role)
    return server


def _demo(args, settings: Settings) -> int:
    server = prepare_demo(settings, reset=args.reset)
    if args.no_tui:
        say(server.conninfo(user=DEMO_LOGINS[args.as_role]))
        return 0
    from ejournal_tui.tui.app import run_app

    run_app(server.conninfo(user=DEMO_LOGINS[args.as_role]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
