"""The screens, by who opens them.

- teacher/, methodist/, deputy/, director/, admin/: a role's screens; a file's name says what it is
  (methodist/groups.py), the folder says whose. A dialog only one role opens lives with that role.
- common/: what several roles open (remarks, reports, help, the role choice) and the bases:
  common/base.py (BaseScreen, ReloadingScreen), common/table_screen.py (a list with keys).
- dialogs/: dialogs/base.py (Dialog: every modal screen; SaveDialog: a dialog that saves; row()),
  and the dialogs several screens open (confirm, form, late_reason).

A screen takes anything from common/, dialogs/ and ../widgets/; from another role's or its own
role's screen module only what it pushes (a screen class, or a function building the dialog to
push), so a helper two screens share moves to common/ or widgets/ (tests/test_screen_layout.py).
Dates are shown and read by ejournal_tui.dates. A new screen: a file in its role's folder, its
keys with ids (they are listed for the keymap by ejournal_tui.tui.keys), opened by a push from
the role's home screen."""
