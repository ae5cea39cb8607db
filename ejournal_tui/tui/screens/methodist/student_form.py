"""The methodist's card of a student (add or edit), with the duplicate check before saving, and
the two order-based commands on a student: enroll into a group, expel or transfer."""

from datetime import date

from ejournal_tui.dates import typed
from ejournal_tui.db import lists
from ejournal_tui.db.lists import EnrollInput, EnrollmentRow, LeaveInput, StudentInput
from ejournal_tui.tui.screens.dialogs.form import Field, FormScreen

YES_NO = [("да", "да"), ("нет", "нет")]


def student_form(student_id: int | None, data: StudentInput | None) -> FormScreen:
    d = data
    fields = [
        Field("last_name", "Фамилия", d.last_name if d else "", max_length=80),
        Field("first_name", "Имя", d.first_name if d else "", max_length=80),
        Field("middle_name", "Отчество", (d.middle_name or "") if d else "", max_length=80),
        Field("birth_date", "Дата рождения", typed(d.birth_date) if d else "", placeholder="ДД.ММ.ГГГГ"),
        Field("sex", "Пол", d.sex if d else None, options=[("м", "м"), ("ж", "ж")]),
        Field("school", "Школа", (d.school or "") if d else "", max_length=200),
        Field("school_class", "Класс", (d.school_class or "") if d else "", placeholder="например 7Б"),
        Field("address", "Адрес", (d.address or "") if d else "", max_length=300),
        Field("phone", "Телефон", (d.phone or "") if d else "", placeholder="+7 …"),
        Field("medical_clearance", "Мед. допуск", "да" if d and d.medical_clearance else "нет", options=YES_NO,
              allow_blank=False),
        Field("medical_clearance_on", "Дата допуска", typed(d.medical_clearance_on) if d else "",
              placeholder="ДД.ММ.ГГГГ"),
        Field("pd_consent_on", "Согласие на ПД", typed(d.pd_consent_on) if d else "",
              placeholder="дата согласия на обработку персональных данных"),
    ]

    def duplicates(conn, values: dict) -> str | None:
        found = lists.duplicates(conn, StudentInput(**values), student_id)
        if not found:
            return None
        names = "\n".join(f"• {x.full_name}, {typed(x.birth_date)}, {x.school or 'школа не указана'}"
                          f"{', ' + x.groups if x.groups else ''}" for x in found[:5])
        return (f"С такими фамилией, именем и датой рождения уже есть:\n{names}\n\n"
                "Это другой человек? Сохранить всё равно?")

    def save(conn, values: dict) -> int:
        return lists.save_student(conn, student_id, StudentInput(**values))

    return FormScreen("Новый обучающийся" if student_id is None else "Карточка обучающегося", fields, save,
                      confirm=duplicates)


def enroll_form(student_id: int, name: str, groups: list[lists.Choice], today: date) -> FormScreen:
    fields = [
        Field("group_id", "Группа", None, options=[(g.name, g.id) for g in groups]),
        Field("enrolled_on", "Дата зачисления", typed(today), placeholder="ДД.ММ.ГГГГ"),
        Field("enroll_order", "Приказ №", "", placeholder="номер приказа о зачислении", max_length=50),
    ]

    def save(conn, values: dict) -> int:
        return lists.enroll(conn, student_id, EnrollInput(**values))

    return FormScreen(f"Зачисление: {name}", fields, save, note="Зачисление — по приказу; дата — в пределах итерации.",
                      save_label="Зачислить")


def leave_form(name: str, enrollments: list[EnrollmentRow], groups: list[lists.Choice], today: date) -> FormScreen:
    current = [e for e in enrollments if e.open_on(today)]
    fields = [
        Field("enrollment_id", "Из группы", current[0].id if len(current) == 1 else None,
              options=[(f"{e.group_name} (с {typed(e.enrolled_on)}, приказ {e.enroll_order})", e.id) for e in current]),
        Field("left_on", "Дата выбытия", typed(today), placeholder="ДД.ММ.ГГГГ — первый день вне группы"),
        Field("order", "Приказ №", "", placeholder="номер приказа об отчислении или переводе", max_length=50),
        Field("reason", "Причина", "", placeholder="например: по заявлению родителей", max_length=300),
        Field("to_group_id", "Перевести в", None, options=[(g.name, g.id) for g in groups]),
    ]

    def save(conn, values: dict) -> int | None:
        return lists.expel_or_transfer(conn, LeaveInput(**values))

    return FormScreen(f"Отчисление или перевод: {name}", fields, save,
                      note="Оставьте «Перевести в» пустым, чтобы отчислить. Перевод: выбытие из одной группы и "
                           "зачисление в другую в один день, по одному приказу.",
                      save_label="Провести приказ")
