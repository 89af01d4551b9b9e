"""The phone's reminders app (ACEBench's ``ReminderApi``): at most six reminders.

Example:
    >>> app = ReminderApi({"wifi": False, "logged_in": True})
    >>> app.add_reminder("Gym", "Leg day", "2024-07-20 18:00")["status"]
    True
    >>> app.get_state_dict()["ReminderApi"]["reminder_list"][4]["title"]
    'Gym'
    >>> app.search_reminders("leg")["reminders"][0]["time"]
    '2024-07-20 18:00'
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import _seed
from ._device import DeviceBound, Result, done, failed


def _time_text(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else str(value)


class ReminderApi(DeviceBound):
    """Reminders by key; adding, viewing and deleting need a signed-in device."""

    tool_functions: list[str] = [
        "view_reminder_by_title",
        "add_reminder",
        "delete_reminder",
        "view_all_reminders",
        "mark_as_notified",
        "search_reminders",
    ]

    def __init__(self, share_state: dict[str, bool]) -> None:
        super().__init__(share_state)
        self.max_capacity = 6
        self.reminder_list = _seed.reminders()
        self.reminder_id_counter = len(self.reminder_list)

    def get_state_dict(self) -> dict[str, Any]:
        """``{"ReminderApi": {"reminder_list": {...}}}`` (integer keys, as AgentScope keeps them;
        ``ACEAccuracy`` compares through JSON, where keys are strings)."""
        return {"ReminderApi": {"reminder_list": self.reminder_list}}

    def _check_capacity(self) -> bool:
        return len(self.reminder_list) >= self.max_capacity

    def view_reminder_by_title(self, title: str) -> Result:
        """The reminder with this title.

        Args:
            title: The reminder's title.
        """
        if not self.logged_in:
            return failed("device未登录，无法查看提醒")
        for reminder in self.reminder_list.values():
            if reminder["title"] == title:
                return {"status": True, "reminder": reminder}
        return failed(f"没有找到标题为 '{title}' 的提醒")

    def add_reminder(self, title: str, description: str, time: str) -> Result:
        """Add a reminder.

        Args:
            title: Its title.
            description: What to remember.
            time: When, as "YYYY-MM-DD HH:MM".
        """
        if not self.logged_in:
            return failed("device未登录，无法添加一个新的提醒")
        if self._check_capacity():
            return failed("提醒容量已满，无法添加新的提醒")
        self.reminder_id_counter += 1
        key = self.reminder_id_counter
        self.reminder_list[key] = {
            "reminder_id": key,
            "title": title,
            "description": description,
            "time": time,
            "notified": False,
        }
        return done(f"提醒 '{title}' 已成功添加")

    def delete_reminder(self, reminder_id: int) -> Result:
        """Delete a reminder.

        Args:
            reminder_id: Its key.
        """
        if not self.logged_in:
            return failed("device未登录，无法删除指定的提醒")
        if reminder_id not in self.reminder_list:
            return failed("提醒ID不存在")
        del self.reminder_list[reminder_id]
        return done(f"提醒ID {reminder_id} 已成功删除")

    def view_all_reminders(self) -> Result:
        """Every reminder (title, description, time, notified)."""
        if not self.reminder_list:
            return failed("没有任何提醒")
        fields = ("title", "description", "time", "notified")
        return {
            "status": True,
            "reminders": [{k: r[k] for k in fields} for r in self.reminder_list.values()],
        }

    def mark_as_notified(self, reminder_id: int) -> Result:
        """Mark a reminder as notified.

        Args:
            reminder_id: Its key.
        """
        if reminder_id not in self.reminder_list:
            return failed("提醒ID不存在")
        self.reminder_list[reminder_id]["notified"] = True
        return done(f"提醒ID {reminder_id} 已标记为已通知")

    def search_reminders(self, keyword: str) -> Result:
        """Reminders whose title or description contains a keyword (case-insensitive).

        Args:
            keyword: The word to look for.
        """
        needle = keyword.lower()
        found = [
            {"title": r["title"], "description": r["description"], "time": _time_text(r["time"])}
            for r in self.reminder_list.values()
            if needle in r["title"].lower() or needle in r["description"].lower()
        ]
        if not found:
            return failed("没有找到包含该关键词的提醒")
        return {"status": True, "reminders": found}


__all__ = ["ReminderApi"]
