"""The Textual application. No SQL here: screens call functions of ejournal_tui.db."""
