"""Accounts: ej.add_user makes the login role, its group role and the staff row in one step;
locking and unlocking; clear Russian refusals; the `ejournal admin` commands.

Login roles are global to the server, not to the test's database: every test uses fresh
names and drops its roles at the end (`new_login`)."""

import uuid

import psycopg
import pytest
from psycopg import errors as pgerr
from psycopg import sql as pgsql

from ejournal_tui.cli import main
from ejournal_tui.db import accounts
from ejournal_tui.db.connection import connect
from ejournal_tui.db.errors import load_constraint_messages, user_message

NAME = "Новикова Анна Павловна"


def awaiting(issued: accounts.Issued) -> int:
    """The request an issued login waits on (a role other than admin needs one)."""
    assert issued.request_id is not None
    return issued.request_id


@pytest.fixture
def new_login(server):
    """A factory of unused login names; the roles are dropped after the test."""
    made: list[str] = []

    def make() -> str:
        made.append(f"t_{uuid.uuid4().hex[:10]}")
        return made[-1]

    yield make
    with connect(server.conninfo("postgres")) as conn:
        for login in made:
            conn.execute(pgsql.SQL("DROP ROLE IF EXISTS {}").format(pgsql.Identifier(login)))


def org_ids(sql) -> dict[int, int]:
    return {
        n: sql.one("SELECT organization_id FROM ej.staff WHERE login = %s", (login,))
        for n, login in ((1, "o1_admin"), (2, "o2_methodist"))
    }


@pytest.fixture
def org(sql) -> dict[int, int]:
    return org_ids(sql)


@pytest.fixture
def shared(server, rollback_sql):
    """For tests that must change nothing (refusals): the module's shared clone, as
    (superuser session, conninfo of a login on that clone)."""
    dbname = rollback_sql.conn.info.dbname
    return rollback_sql, lambda user=None: server.conninfo(dbname, user)


def role_state(sql, login: str) -> dict:
    rows = sql.run(
        """SELECT r.rolcanlogin AS can_login,
                  ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                         WHERE m.member = r.oid AND g.rolname LIKE 'ej\\_%%' ORDER BY 1) AS groups
             FROM pg_roles r WHERE r.rolname = %s""",
        (login,),
    )
    return rows[0] if rows else {}


def staff_row(sql, login: str) -> dict | None:
    rows = sql.run(
        "SELECT id, organization_id, full_name, is_locked FROM ej.staff WHERE login = %s", (login,)
    )
    return rows[0] if rows else None


# --- issuing an account -------------------------------------------------------------------------


def test_superuser_issues_an_account_in_one_step(sql, org, new_login, login_conninfo):
    login = new_login()
    staff_id = accounts.add_user(sql.conn, login, ["teacher"], NAME, org[1])
    assert staff_row(sql, login) == {
        "id": staff_id,
        "organization_id": org[1],
        "full_name": NAME,
        "is_locked": False,
    }
    assert role_state(sql, login) == {"can_login": True, "groups": ["ej_teacher"]}
    # the new person logs in and is who the database says
    with connect(login_conninfo(login)) as conn:
        me = accounts.whoami(conn)
        assert (me.staff_id, me.login, me.organization_id, me.roles) == (staff_id, login, org[1], ["teacher"])
        assert conn.execute("SELECT count(*) AS n FROM ej.study_group").fetchone()["n"] == 0  # no groups yet
        with pytest.raises(pgerr.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO ej.student (last_name, first_name, birth_date, sex) "
                "VALUES ('Аа', 'Бб', '2012-01-01', 'м')"
            )


def test_admin_issues_accounts_of_own_organization(sql, org, new_login, login_conninfo):
    """Finding 4: an administrator's methodist login is only a request until the director confirms."""
    login = new_login()
    with connect(login_conninfo("o1_admin")) as admin:
        issued = accounts.issue_account(admin, login, ["methodist", "deputy"], NAME)
        assert issued.staff_id is None and issued.request_id
        [pending] = [r for r in accounts.pending_requests(admin) if r.login == login]
        assert (pending.kind, pending.roles, pending.requested_by, pending.may_decide) == (
            "create", ["deputy", "methodist"], "o1_admin", False)
    # no role, no staff row, no login: the administrator alone cannot read a child's data
    assert role_state(sql, login) == {} and staff_row(sql, login) is None
    with pytest.raises(psycopg.OperationalError):
        connect(login_conninfo(login))
    with connect(login_conninfo("o1_director")) as director:
        [pending] = [r for r in accounts.pending_requests(director) if r.login == login]
        assert pending.may_decide
        accounts.decide(director, issued.request_id, True)
    assert staff_row(sql, login)["organization_id"] == org[1]
    assert role_state(sql, login) == {"can_login": True, "groups": ["ej_deputy", "ej_methodist"]}
    with connect(login_conninfo("o1_admin")) as admin:
        users = {u.login: u for u in accounts.list_users(admin)}
        assert not [r for r in accounts.pending_requests(admin) if r.login == login]
    assert sorted(users[login].roles) == ["deputy", "methodist"] and users[login].can_login
    assert users["o1_teacher01"].roles == ["teacher"]
    assert {u.organization_id for u in users.values()} == {org[1]}  # nobody of organization 2
    assert "o2_methodist" not in users
    with connect(login_conninfo(login)) as conn:
        assert accounts.whoami(conn).roles == ["methodist", "deputy"]


def test_administrator_only_login_needs_no_confirmation(sql, new_login, login_conninfo):
    login = new_login()
    with connect(login_conninfo("o1_admin")) as admin:
        issued = accounts.issue_account(admin, login, ["admin"], NAME)
    assert issued.request_id is None and issued.staff_id
    assert role_state(sql, login) == {"can_login": True, "groups": ["ej_admin"]}


def test_a_refused_request_leaves_nothing(sql, new_login, login_conninfo):
    login = new_login()
    with connect(login_conninfo("o1_admin")) as admin:
        request_id = awaiting(accounts.issue_account(admin, login, ["teacher"], NAME))
    with connect(login_conninfo("o1_director")) as director:
        accounts.decide(director, request_id, False)
        err = _refused(lambda: accounts.decide(director, request_id, True))
        assert user_message(err) == "Запрос уже рассмотрен"
    assert role_state(sql, login) == {} and staff_row(sql, login) is None
    assert sql.one("SELECT status FROM ej.account_request WHERE id = %s", (request_id,)) == "refused"


@pytest.mark.parametrize(("decider", "says"), [
    ("o1_admin", "Свой запрос подтверждает другой сотрудник"),
    ("o1_methodist", "Подтверждает директор (запрос об учётной записи директора — заместитель директора)"),
    ("o1_deputy", "Подтверждает директор (запрос об учётной записи директора — заместитель директора)"),
    ("o1_teacher01", "Подтверждает директор (запрос об учётной записи директора — заместитель директора)"),
    ("o2_methodist", "Запрос не найден"),
])
def test_only_the_director_confirms_a_teachers_login(sql, new_login, login_conninfo, decider, says):
    login = new_login()
    with connect(login_conninfo("o1_admin")) as admin:
        request_id = awaiting(accounts.issue_account(admin, login, ["teacher"], NAME))
    with connect(login_conninfo(decider)) as conn:
        assert user_message(_refused(lambda: accounts.decide(conn, request_id, True))) == says
    assert role_state(sql, login) == {}


def test_password_reset_of_the_director_waits_for_the_deputy(sql, login_conninfo):
    """Finding 4: the administrator resets the director's password — it does not work until the
    deputy confirms (the director does not confirm requests about their own login)."""
    sql.run("ALTER ROLE o1_director PASSWORD NULL")
    try:
        with connect(login_conninfo("o1_admin")) as admin:
            issued = accounts.issue_password(admin, "o1_director")
        assert issued.request_id
        assert sql.one("SELECT rolpassword IS NULL FROM pg_authid WHERE rolname = 'o1_director'") is True
        assert issued.password not in str(sql.run("SELECT * FROM audit.log WHERE table_name = 'account_request'"))
        with connect(login_conninfo("o1_director")) as director:
            err = _refused(lambda: accounts.decide(director, issued.request_id, True))
            assert user_message(err) == "Запрос о своей учётной записи подтверждает другой сотрудник"
        assert sql.one("SELECT rolpassword IS NULL FROM pg_authid WHERE rolname = 'o1_director'") is True
        with connect(login_conninfo("o1_deputy")) as deputy:
            [r] = [r for r in accounts.pending_requests(deputy) if r.id == issued.request_id]
            assert r.may_decide and r.kind == "password"
            accounts.decide(deputy, issued.request_id, True)
        row = sql.run("SELECT rolpassword, rolvaliduntil > now() + interval '6 days' AS week "
                      "FROM pg_authid WHERE rolname = 'o1_director'")[0]
        assert row["rolpassword"].startswith("SCRAM-SHA-256$") and row["week"]
        assert sql.one("SELECT count(*) FROM audit.account_secret") == 0
    finally:
        sql.run("ALTER ROLE o1_director PASSWORD NULL VALID UNTIL 'infinity'")  # roles are server-wide


def test_granting_a_data_role_and_unlocking_wait_for_the_director(sql, new_login, login_conninfo):
    login = new_login()
    with connect(login_conninfo("o1_admin")) as admin:
        accounts.issue_account(admin, login, ["admin"], NAME)
        grant = accounts.set_roles(admin, login, ["admin", "teacher"])
        assert grant and role_state(sql, login)["groups"] == ["ej_admin"]
    with connect(login_conninfo("o1_director")) as director:
        accounts.decide(director, grant, True)
    assert role_state(sql, login)["groups"] == ["ej_admin", "ej_teacher"]
    with connect(login_conninfo("o1_admin")) as admin:
        assert accounts.set_roles(admin, login, ["teacher"]) is None  # taking a role away is immediate
        assert accounts.set_locked(admin, login, True) is None
        unlock = accounts.set_locked(admin, login, False)
    assert role_state(sql, login) == {"can_login": False, "groups": ["ej_teacher"]} and unlock
    with connect(login_conninfo("o1_director")) as director:
        accounts.decide(director, unlock, True)
    assert role_state(sql, login)["can_login"] and not staff_row(sql, login)["is_locked"]


def test_every_account_operation_is_in_the_account_log(sql, new_login, login_conninfo):
    """Finding 4: create, roles, lock, unlock, password, request, confirm — each with actor and time,
    append-only, and the director reads it."""
    login = new_login()
    with connect(login_conninfo("o1_admin")) as admin:
        request_id = awaiting(accounts.issue_account(admin, login, ["teacher"], NAME))
    with connect(login_conninfo("o1_director")) as director:
        accounts.decide(director, request_id, True)
    with connect(login_conninfo("o1_admin")) as admin:
        accounts.set_roles(admin, login, ["admin"])
        accounts.set_locked(admin, login, True)
        accounts.set_locked(admin, login, False)  # admin only now: immediate
        accounts.issue_password(admin, login)
    with connect(login_conninfo("o1_director")) as director:
        log = [e for e in accounts.account_log(director) if e.login == login]
    got = [(e.op, e.actor) for e in reversed(log)]
    assert got == [("request", "o1_admin"), ("create", "o1_director"), ("confirm", "o1_director"),
                   ("roles", "o1_admin"), ("lock", "o1_admin"), ("unlock", "o1_admin"), ("password", "o1_admin")]
    assert all(e.at is not None for e in log) and log[0].actor_name
    assert "SCRAM" not in str([e.detail for e in log])
    with sql.as_user("o1_admin"):
        assert isinstance(sql.refuses("UPDATE audit.account_event SET actor = 'x'"), pgerr.InsufficientPrivilege)
        assert isinstance(sql.refuses("INSERT INTO audit.account_event (login, op) VALUES ('x', 'lock')"),
                          pgerr.InsufficientPrivilege)
    assert sql.refuses("DELETE FROM audit.account_event").sqlstate == "EJ002"  # the log's own trigger
    with sql.as_user("o1_teacher01"):
        assert isinstance(sql.refuses("SELECT * FROM audit.account_event"), pgerr.InsufficientPrivilege)


def test_superuser_must_name_the_organization_when_there_are_several(shared, new_login):
    sql, _ = shared
    login = new_login()

    def attempt():
        with sql.conn.transaction():  # a savepoint: the test's transaction goes on after the refusal
            accounts.add_user(sql.conn, login, ["teacher"], NAME)

    assert user_message(_refused(attempt)) == "Укажите организацию"
    assert staff_row(sql, login) is None and role_state(sql, login) == {}


# --- refusals -----------------------------------------------------------------------------------


def _refused(action) -> psycopg.Error:
    with pytest.raises(psycopg.Error) as info:
        action()
    return info.value


@pytest.mark.parametrize(
    ("login", "roles", "full_name", "says"),
    [
        pytest.param("Bad Login", ["teacher"], NAME, "Логин: латинские строчные буквы, цифры", id="space and capitals"),
        pytest.param("1abc", ["teacher"], NAME, "Логин: латинские строчные буквы, цифры", id="starts with a digit"),
        pytest.param("x", ["teacher"], NAME, "Логин: латинские строчные буквы, цифры", id="too short"),
        pytest.param("ej_owner2", ["teacher"], NAME, "Этот логин зарезервирован", id="ej_ prefix"),
        pytest.param("pg_reader", ["teacher"], NAME, "Этот логин зарезервирован", id="pg_ prefix"),
        pytest.param(None, ["boss"], NAME, "Неизвестная роль «boss»: teacher, methodist, deputy, director или admin",
                     id="unknown role"),
        pytest.param(None, [], NAME, "Укажите роль: teacher, methodist, deputy, director или admin", id="no role"),
        pytest.param("o1_teacher01", ["teacher"], NAME, "Логин «o1_teacher01» уже занят", id="duplicate login"),
        pytest.param("postgres", ["teacher"], NAME, "Этот логин зарезервирован", id="postgres"),
        pytest.param(None, ["teacher"], "Новикова", "ФИО сотрудника: от двух до четырёх слов через пробел",
                     id="one-word name"),
    ],
)
def test_bad_account_input_is_refused_in_russian(shared, new_login, login, roles, full_name, says):
    sql, login_conninfo = shared
    login = login or new_login()
    staff_before = sql.one("SELECT count(*) FROM ej.staff")
    roles_before = sql.one("SELECT count(*) FROM pg_roles")
    with connect(login_conninfo("o1_admin")) as admin:
        err = _refused(lambda: accounts.add_user(admin, login, roles, full_name))
        text = user_message(err, load_constraint_messages(admin))
    assert says in text, text
    assert "\n" not in text
    assert sql.one("SELECT count(*) FROM ej.staff") == staff_before
    assert sql.one("SELECT count(*) FROM pg_roles") == roles_before


@pytest.mark.parametrize("caller", ["o1_teacher01", "o1_methodist", "o1_director"])
def test_only_an_administrator_issues_and_locks_accounts(shared, new_login, caller):
    sql, login_conninfo = shared
    login = new_login()
    with connect(login_conninfo(caller)) as conn:
        err = _refused(lambda: accounts.add_user(conn, login, ["teacher"], NAME))
        assert err.sqlstate == "EJ002"
        assert user_message(err) == "Выдавать учётные записи может только администратор"
        err = _refused(lambda: accounts.set_locked(conn, "o1_teacher02", True))
        assert err.sqlstate == "EJ002"
        assert user_message(err) == "Блокировать учётные записи может только администратор"
    assert role_state(sql, login) == {} and staff_row(sql, login) is None
    assert role_state(sql, "o1_teacher02")["can_login"]


def test_admin_cannot_manage_another_organization(sql, org, new_login, login_conninfo):
    login = new_login()
    other = accounts.add_user(sql.conn, new_login(), ["teacher"], NAME, org[2])
    other_login = sql.one("SELECT login FROM ej.staff WHERE id = %s", (other,))
    with connect(login_conninfo("o1_admin")) as admin:
        err = _refused(lambda: accounts.add_user(admin, login, ["teacher"], NAME, org[2]))
        assert user_message(err) == "Учётные записи другой организации вам недоступны"
        err = _refused(lambda: accounts.set_locked(admin, other_login, True))
        assert user_message(err) == "Учётные записи другой организации вам недоступны"
    assert role_state(sql, login) == {}
    assert role_state(sql, other_login)["can_login"] and not staff_row(sql, other_login)["is_locked"]


# --- locking ------------------------------------------------------------------------------------


def test_lock_and_unlock(sql, org, new_login, login_conninfo):
    login = new_login()
    accounts.add_user(sql.conn, login, ["teacher"], NAME, org[1])
    with connect(login_conninfo(login)):
        pass  # can log in
    with connect(login_conninfo("o1_admin")) as admin:
        accounts.set_locked(admin, login, True)
        locked = {u.login: u for u in accounts.list_users(admin)}[login]
        assert locked.is_locked and not locked.can_login
    assert staff_row(sql, login)["is_locked"] and role_state(sql, login)["can_login"] is False
    with pytest.raises(psycopg.OperationalError) as info:
        connect(login_conninfo(login))
    assert "not permitted to log in" in str(info.value)
    # an open session of a locked person no longer counts as staff: it sees nothing
    with sql.as_user(login):
        assert sql.one("SELECT ej.current_staff_id()") is None
        assert sql.one("SELECT count(*) FROM ej.organization") == 0
    with connect(login_conninfo("o1_admin")) as admin:
        request_id = accounts.set_locked(admin, login, False)
    assert staff_row(sql, login)["is_locked"] and request_id  # waits for the director
    with connect(login_conninfo("o1_director")) as director:
        accounts.decide(director, request_id, True)
    assert not staff_row(sql, login)["is_locked"] and role_state(sql, login)["can_login"]
    with connect(login_conninfo(login)) as conn:
        assert accounts.whoami(conn).staff_id == staff_row(sql, login)["id"]


def test_lock_refusals(shared):
    _, login_conninfo = shared
    with connect(login_conninfo("o1_admin")) as admin:
        err = _refused(lambda: accounts.set_locked(admin, "o1_admin", True))
        assert user_message(err) == "Нельзя заблокировать собственную учётную запись"
        err = _refused(lambda: accounts.set_locked(admin, "nobody_here", True))
        assert user_message(err) == "Учётная запись «nobody_here» не найдена"


# --- the command line -----------------------------------------------------------------------------


def test_cli_admin_commands(server, db, sql, org, new_login, capsys):
    login = new_login()
    dsn = server.conninfo(db)
    code = main(
        [
            "--dsn",
            dsn,
            "admin",
            "add-user",
            login,
            "--role",
            "teacher",
            "--name",
            NAME,
            "--organization",
            str(org[1]),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert f"Учётная запись {login} выдана" in out
    assert role_state(sql, login) == {"can_login": True, "groups": ["ej_teacher"]}

    admin_dsn = server.conninfo(db, user="o1_admin")
    assert main(["--dsn", admin_dsn, "admin", "lock-user", login]) == 0
    assert f"Учётная запись {login} заблокирована" in capsys.readouterr().out
    assert role_state(sql, login)["can_login"] is False
    assert main(["--dsn", admin_dsn, "admin", "list-users"]) == 0
    listing = capsys.readouterr().out
    line = next(ln for ln in listing.splitlines() if login in ln)
    assert NAME in line and "teacher" in line and "заблокирована" in line
    assert "o2_methodist" not in listing
    assert main(["--dsn", admin_dsn, "admin", "unlock-user", login]) == 0
    assert "ждёт подтверждения директора" in capsys.readouterr().out
    assert role_state(sql, login)["can_login"] is False
    assert main(["--dsn", server.conninfo(db), "admin", "unlock-user", login]) == 0  # a superuser acts directly
    assert f"Учётная запись {login} разблокирована" in capsys.readouterr().out
    assert role_state(sql, login)["can_login"] is True
    # the administrator's add-user says that the account awaits confirmation
    other = new_login()
    assert main(["--dsn", admin_dsn, "admin", "add-user", other, "--role", "methodist", "--name", NAME]) == 0
    out = capsys.readouterr().out
    assert f"Учётная запись {other} ещё не действует" in out and "ждёт подтверждения директора" in out
    assert role_state(sql, other) == {}
    assert main(["--dsn", admin_dsn, "admin", "list-users"]) == 0
    assert "ждёт подтверждения" in next(ln for ln in capsys.readouterr().out.splitlines() if other in ln)


@pytest.mark.parametrize(
    ("user", "args", "says"),
    [
        pytest.param(None, ["add-user", "Bad Login", "--role", "teacher", "--name", NAME, "--organization", "1"],
                     "Логин: латинские строчные буквы", id="bad login"),
        pytest.param("o1_admin", ["add-user", "{login}", "--role", "boss", "--name", NAME], "Неизвестная роль «boss»",
                     id="unknown role"),
        pytest.param("o1_admin",
                     ["add-user", "{login}", "--role", "teacher", "--name", NAME, "--organization", "{org2}"],
                     "Учётные записи другой организации вам недоступны", id="other organization"),
        pytest.param("o1_admin", ["add-user", "o1_teacher02", "--role", "teacher", "--name", NAME], "уже занят",
                     id="duplicate"),
        pytest.param("o1_teacher01", ["add-user", "{login}", "--role", "teacher", "--name", NAME],
                     "Выдавать учётные записи может только администратор", id="not an administrator"),
        pytest.param("o1_admin", ["lock-user", "nobody_here"], "не найдена", id="unknown user"),
    ],
)
def test_cli_refusals_are_one_russian_line(shared, new_login, capsys, user, args, says):
    sql, conninfo = shared
    login = new_login()
    args = [a.format(login=login, org2=org_ids(sql)[2]) for a in args]
    roles_before = sql.one("SELECT count(*) FROM pg_roles")
    code = main(["--dsn", conninfo(user), "admin", *args])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ejournal: "), captured.err
    assert says in lines[0]
    assert "Traceback" not in captured.err and "ERROR" not in captured.err
    assert sql.one("SELECT count(*) FROM pg_roles") == roles_before


def test_admin_can_lock_a_login_made_outside_add_user(sql, login_conninfo):
    try:
        with connect(login_conninfo("o1_admin")) as admin:
            accounts.set_locked(admin, "o1_teacher02", True)
        assert role_state(sql, "o1_teacher02")["can_login"] is False
    finally:  # role attributes are global to the server: never leave a demo login locked
        sql.run("ALTER ROLE o1_teacher02 LOGIN")


def test_taking_a_role_away_never_pretends(sql, login_conninfo):
    """A demo login's role was granted by a superuser: on PostgreSQL 16 the owner's REVOKE cannot take
    it back, and then the change is refused rather than logged as done."""
    with connect(login_conninfo("o1_admin")) as admin:
        try:
            accounts.set_roles(admin, "o1_teacher02", ["admin"])
        except psycopg.Error as exc:
            assert user_message(exc) == "Роль выдана суперпользователем: снять её может только суперпользователь"
            assert role_state(sql, "o1_teacher02")["groups"] == ["ej_teacher"]
            assert not sql.run("SELECT 1 FROM audit.account_event WHERE login = 'o1_teacher02' AND op = 'roles'")
        else:
            assert role_state(sql, "o1_teacher02")["groups"] == ["ej_admin"]
            sql.run("REVOKE ej_admin FROM o1_teacher02")
            sql.run("GRANT ej_teacher TO o1_teacher02")  # roles are server-wide


def test_only_a_superuser_makes_logins_directly(login_conninfo):
    with connect(login_conninfo("o1_admin")) as admin, pytest.raises(PermissionError):
        accounts.ensure_login_role(admin, "o1_teacher02", "teacher")
