"""The phone's text messages app (ACEBench's ``MessageApi``): six contacts, an inbox that
holds at most six texts, search and delete.

Example:
    >>> app = MessageApi({"wifi": True, "logged_in": True})
    >>> app.send_message("Eve", "Frank", "hi")["status"]   # the inbox is full (6 of 6)
    False
    >>> app.delete_message(5)["status"], app.send_message("Eve", "Frank", "hi")["status"]
    (True, True)
    >>> app.get_state_dict()["MessageApi"]["inbox"]["7"]["message"]
    'hi'
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import _seed
from ._device import DeviceBound, Result, done, failed


def _day(message: dict[str, Any]) -> datetime:
    return datetime.strptime(str(message["time"]), "%Y-%m-%d")


class MessageApi(DeviceBound):
    """Texts between the six contacts; sending needs Wi-Fi and a signed-in device."""

    tool_functions: list[str] = [
        "send_message",
        "delete_message",
        "view_messages_between_users",
        "search_messages",
        "get_all_message_times_with_ids",
        "get_latest_message_id",
        "get_earliest_message_id",
    ]

    def __init__(self, share_state: dict[str, bool]) -> None:
        super().__init__(share_state)
        self.max_capacity = 6
        self.user_list = _seed.message_users()
        self.inbox = _seed.message_inbox()
        self.message_id_counter = len(self.inbox)

    def get_state_dict(self) -> dict[str, Any]:
        """``{"MessageApi": {"inbox": {...}}}`` with string ids, as the ground truth writes them."""
        return {"MessageApi": {"inbox": {str(k): v for k, v in self.inbox.items()}}}

    def _user_id(self, name: str) -> str:
        return str(self.user_list[name]["user_id"])

    def send_message(self, sender_name: str, receiver_name: str, message: str) -> Result:
        """Send a text from one contact to another.

        Args:
            sender_name: The sender's name.
            receiver_name: The receiver's name.
            message: The text.
        """
        if not self.logged_in:
            return failed("device未登录，无法发送短信")
        if not self.wifi:
            return failed("wifi关闭，此时不能发送信息")
        if len(self.inbox) >= self.max_capacity:
            return failed("内存容量不够了，你需要询问user删除哪一条短信。")
        if sender_name not in self.user_list or receiver_name not in self.user_list:
            return failed("发送者或接收者不存在")
        self.message_id_counter += 1
        self.inbox[self.message_id_counter] = {
            "sender_id": self._user_id(sender_name),
            "receiver_id": self._user_id(receiver_name),
            "message": message,
        }
        return done(f"短信成功发送给{receiver_name}。")

    def delete_message(self, message_id: int) -> Result:
        """Delete a text by its id.

        Args:
            message_id: The text's id.
        """
        if not self.logged_in:
            return failed("device未登录，无法删除短信")
        if message_id not in self.inbox:
            return failed("短信ID不存在")
        del self.inbox[message_id]
        return done(f"短信ID {message_id} 已成功删除。")

    def view_messages_between_users(self, sender_name: str, receiver_name: str) -> Result:
        """The texts one contact sent to another.

        Args:
            sender_name: The sender's name.
            receiver_name: The receiver's name.
        """
        if not self.logged_in:
            return failed("device未登录，无法查看短信信息")
        if sender_name not in self.user_list:
            return failed("发送者不存在")
        if receiver_name not in self.user_list:
            return failed("接收者不存在")
        sender, receiver = self._user_id(sender_name), self._user_id(receiver_name)
        found = [
            {"id": key, "sender": sender_name, "receiver": receiver_name, "message": m["message"]}
            for key, m in self.inbox.items()
            if m["sender_id"] == sender and m["receiver_id"] == receiver
        ]
        if not found:
            return failed("没有找到相关的短信记录")
        return {"status": True, "messages": found}

    def search_messages(self, user_name: str, keyword: str) -> Result:
        """A contact's texts (sent or received) containing a keyword (case-insensitive).

        Args:
            user_name: The contact's name.
            keyword: The word to look for.
        """
        if user_name not in self.user_list:
            return failed("用户不存在")
        user, needle = self._user_id(user_name), keyword.lower()
        found = [
            {"id": key, **{k: m[k] for k in ("sender_id", "receiver_id", "message")}}
            for key, m in self.inbox.items()
            if user in (m["sender_id"], m["receiver_id"]) and needle in m["message"].lower()
        ]
        if not found:
            return failed("没有找到包含关键词的短信")
        return {"status": True, "messages": found}

    def get_all_message_times_with_ids(self) -> dict[Any, Any]:
        """Every text's date, by id."""
        if not self.logged_in:
            return failed("device未登录，获取所有短信的时间以及对应的短信编号。")
        return {key: m["time"] for key, m in self.inbox.items()}

    def _extreme_id(self, *, latest: bool) -> int | None:
        """The id of the newest (oldest) dated text; texts sent here carry no date and are
        left out (AgentScope 1.0.21 raises a KeyError on them)."""
        dated = [(key, _day(m)) for key, m in self.inbox.items() if m.get("time")]
        if not dated:
            return None
        pick = max if latest else min
        return pick(dated, key=lambda pair: pair[1])[0]

    def get_latest_message_id(self) -> Result:
        """The id of the most recent text."""
        if not self.logged_in:
            return failed("device未登录，无法获取最新发送的短信ID。")
        if not self.inbox:
            return failed("短信记录为空")
        key = self._extreme_id(latest=True)
        if key is None:
            return failed("短信记录为空")
        return {"status": True, "message": f"最新的短信ID是 {key}", "message_id": key}

    def get_earliest_message_id(self) -> Result:
        """The id of the oldest text."""
        if not self.logged_in:
            return failed("device未登录，无法获取最早发送的短信ID")
        if not self.inbox:
            return failed("短信记录为空")
        key = self._extreme_id(latest=False)
        if key is None:
            return failed("短信记录为空")
        return {"status": True, "message": f"最早的短信ID是 {key}", "message_id": key}


__all__ = ["MessageApi"]
