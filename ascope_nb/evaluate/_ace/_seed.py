"""The simulated phone's starting data: every task starts from a fresh deep copy.

The values are ACEBench's scenario (https://github.com/ACEBench/ACEBench, MIT license, as
AgentScope 1.0.21 ships it): the benchmark's ground-truth end states are written against
them, so they must be exactly these.

Example:
    >>> inbox = message_inbox(); inbox[1]["sender_id"], len(inbox)
    ('USR100', 6)
    >>> message_inbox() is message_inbox()
    False
"""

from __future__ import annotations

import copy
from typing import Any

PEOPLE = ("Eve", "Frank", "Grace", "Helen", "Isaac", "Jack")
_OCCUPATIONS = (
    "Software Engineer",
    "Data Scientist",
    "Product Manager",
    "UX Designer",
    "DevOps Engineer",
    "Marketing Specialist",
)
_PHONES = (
    "123-456-7890",
    "234-567-8901",
    "345-678-9012",
    "456-789-0123",
    "567-890-1234",
    "678-901-2345",
)
_FOOD_PASSWORDS = (
    "password123",
    "password456",
    "password789",
    "password321",
    "password654",
    "password654",
)
_FOOD_BALANCES = (500.0, 300.0, 150.0, 800.0, 400.0, 120.0)


def message_users() -> dict[str, dict[str, Any]]:
    """Who can text whom: name -> user_id (USR100...), phone number, occupation."""
    return {
        name: {
            "user_id": f"USR{100 + i}",
            "phone_number": _PHONES[i],
            "occupation": _OCCUPATIONS[i],
        }
        for i, name in enumerate(PEOPLE)
    }


def _text(sender: int, receiver: int, message: str, time: str) -> dict[str, Any]:
    return {
        "sender_id": f"USR{sender}",
        "receiver_id": f"USR{receiver}",
        "message": message,
        "time": time,
    }


_INBOX: dict[int, dict[str, Any]] = {
    1: _text(
        100,
        101,
        "Hey Frank, don't forget about our meeting on 2024-06-11 at 4 PM in Conference Room 1.",
        "2024-06-09",
    ),
    2: _text(101, 102, '你能帮我点一个"玛格丽特披萨"的外卖吗,商家是达美乐。', "2024-03-09"),
    3: _text(
        102,
        103,
        "帮我查一些喜茶有哪些奶茶外卖，买一杯便宜些的奶茶。买完以后记得回复我,回复的内容是（已经买好了）",
        "2023-12-05",
    ),
    4: _text(103, 102, "No problem Helen, I can assist you.", "2024-09-09"),
    5: _text(104, 105, "Isaac, are you available for a call?", "2024-06-06"),
    6: _text(105, 104, "Yes Jack, let's do it in 30 minutes.", "2024-01-15"),
}


def message_inbox() -> dict[int, dict[str, Any]]:
    """The six texts already on the phone, by message id."""
    return copy.deepcopy(_INBOX)


def _reminder(reminder_id: int, title: str, description: str, time: str) -> dict[str, Any]:
    return {
        "reminder_id": reminder_id,
        "title": title,
        "description": description,
        "time": time,
        "notified": False,
    }


_REMINDERS: dict[int, dict[str, Any]] = {
    1: _reminder(
        1001, "Doctor's Appointment", "Visit Dr. Smith for a checkup.", "2024-07-15 09:30"
    ),
    2: _reminder(1002, "Team Meeting", "Monthly project review with the team.", "2024-07-17 11:00"),
    3: _reminder(
        1003,
        "To-do list",
        '首先帮Frank在"盒马生鲜"点外卖，需要定两个"生鲜大礼包"，再发短信告诉Frank：'
        '"购买商品的价格是()元"。要把括号换成实际金额，保留一位小数。',
        "2024-07-16 11:00",
    ),
}


def reminders() -> dict[int, dict[str, Any]]:
    """The three reminders already on the phone, by key."""
    return copy.deepcopy(_REMINDERS)


def food_users() -> dict[str, dict[str, Any]]:
    """The food platform's accounts: name -> user_id (U100...), password, balance."""
    return {
        name: {
            "user_id": f"U{100 + i}",
            "password": _FOOD_PASSWORDS[i],
            "balance": _FOOD_BALANCES[i],
        }
        for i, name in enumerate(PEOPLE)
    }


_MERCHANTS: tuple[tuple[str, str, tuple[tuple[str, float], ...]], ...] = (
    ("达美乐", "Pizza", (("玛格丽特披萨", 68.0), ("超级至尊披萨", 88.0))),
    ("米村拌饭", "Bibimbap", (("石锅拌饭", 35.0), ("韩式牛肉拌饭", 45.0))),
    ("海底捞", "Hotpot", (("牛肉卷", 68.0), ("海鲜拼盘", 88.0))),
    ("喜茶", "Milk Tea", (("芝士奶茶", 25.0), ("四季春奶茶", 22.0))),
    ("盒马生鲜", "Fresh Grocery", (("有机蔬菜包", 15.0), ("生鲜大礼包", 99.0))),
    ("九田家烤肉", "BBQ", (("韩式烤牛肉", 128.0), ("烤五花肉", 78.0))),
)


def merchants() -> dict[str, dict[str, Any]]:
    """The six merchants: name -> merchant_id (M100...), service type, menu."""
    return {
        name: {
            "merchant_id": f"M{100 + i}",
            "service_type": service,
            "menu": [{"product": product, "price": price} for product, price in menu],
        }
        for i, (name, service, menu) in enumerate(_MERCHANTS)
    }


def travel_users() -> dict[str, dict[str, Any]]:
    """The airline's accounts: user1..user3."""
    rows = (
        ("Eve", "password123", 2000.0, 50000.0, "regular"),
        ("Frank", "password456", 8000.0, 8000.0, "silver"),
        ("Grace", "password789", 1000.0, 5000.0, "gold"),
    )
    return {
        f"user{i + 1}": {
            "user_name": name,
            "password": password,
            "cash_balance": cash,
            "bank_balance": bank,
            "membership_level": level,
        }
        for i, (name, password, cash, bank, level) in enumerate(rows)
    }


# flight_no, origin, destination, depart, arrive, seats, economy, business
_FLIGHTS = (
    ("CA1234", "北京", "上海", "2024-07-15 08:00:00", "2024-07-15 10:30:00", 5, 1200, 3000),
    ("MU5678", "上海", "北京", "2024-07-16 09:00:00", "2024-07-16 11:30:00", 3, 1900, 3000),
    ("CZ4321", "上海", "北京", "2024-07-16 20:00:00", "2024-07-16 22:00:00", 8, 2500, 4000),
    ("CZ4352", "上海", "北京", "2024-07-17 20:00:00", "2024-07-17 22:00:00", 8, 1600, 2500),
    ("MU3561", "北京", "南京", "2024-07-18 08:00:00", "2024-07-18 10:00:00", 8, 1500, 4000),
    ("MU1566", "北京", "南京", "2024-07-18 20:00:00", "2024-07-18 22:00:00", 8, 1500, 4000),
    ("CZ1765", "南京", "深圳", "2024-07-17 20:30:00", "2024-07-17 22:00:00", 8, 1500, 2500),
    ("CZ1765", "南京", "深圳", "2024-07-18 12:30:00", "2024-07-18 15:00:00", 8, 1500, 2500),
    ("MH1765", "厦门", "成都", "2024-07-17 12:30:00", "2024-07-17 15:00:00", 8, 1500, 2500),
    ("MH2616", "成都", "厦门", "2024-07-18 18:30:00", "2024-07-18 21:00:00", 8, 1500, 2500),
    ("MH2616", "成都", "福州", "2024-07-16 18:30:00", "2024-07-16 21:00:00", 8, 1500, 2500),
)


def flights() -> list[dict[str, Any]]:
    """The flights on sale (flight numbers are not unique: the first match is used)."""
    return [
        {
            "flight_no": no,
            "origin": origin,
            "destination": destination,
            "depart_time": depart,
            "arrival_time": arrive,
            "status": "available",
            "seats_available": seats,
            "economy_price": economy,
            "business_price": business,
        }
        for no, origin, destination, depart, arrive, seats, economy, business in _FLIGHTS
    ]


def reservations() -> list[dict[str, Any]]:
    """The four bookings already made (res_4's flight MU2616 is on no list, as in ACEBench)."""
    rows = (
        ("user1", "CA1234", "经济舱", "北京", "上海"),
        ("user1", "MU5678", "商务舱", "上海", "北京"),
        ("user2", "MH1765", "商务舱", "厦门", "成都"),
        ("user2", "MU2616", "商务舱", "成都", "厦门"),
    )
    return [
        {
            "reservation_id": f"res_{i + 1}",
            "user_id": user,
            "flight_no": flight_no,
            "payment_method": "bank",
            "cabin": cabin,
            "baggage": 1,
            "origin": origin,
            "destination": destination,
        }
        for i, (user, flight_no, cabin, origin, destination) in enumerate(rows)
    ]


__all__ = [
    "PEOPLE",
    "message_users",
    "message_inbox",
    "reminders",
    "food_users",
    "merchants",
    "travel_users",
    "flights",
    "reservations",
]
