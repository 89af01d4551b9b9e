"""The airline booking system (ACEBench's ``TravelApi``): flights, three accounts, bookings
paid in cash or from the bank, changes and cancellations. "Today" is 2024-07-14 06:00.

Where AgentScope 1.0.21's copy raises on bad input (a wrong password, an unknown flight or
cabin), this one answers with a message the agent can act on; valid calls behave the same.

Example:
    >>> travel = TravelApi()
    >>> travel.reserve_flight("user1", "password123", "CZ4352", "经济舱", "bank", 1)
    '预订成功，预订号：res_5，总费用：1600元（包含行李费用）。'
    >>> travel.users["user1"]["bank_balance"]
    48400.0
    >>> travel.cancel_reservation("user1", "res_5", "行程有变")
    '距离出发时间超过24小时，免费取消成功，已退款1600元。'
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from . import _seed

NOW = datetime(2024, 7, 14, 6, 0, 0)
ECONOMY, BUSINESS = "经济舱", "商务舱"
BAGGAGE_FEE = 50
_FREE_BAGGAGE = {
    "regular": {ECONOMY: 1, BUSINESS: 2},
    "silver": {ECONOMY: 2, BUSINESS: 3},
    "gold": {ECONOMY: 3, BUSINESS: 3},
}
_TIME = "%Y-%m-%d %H:%M:%S"
_WRONG_LOGIN = {"status": "error", "message": "用户名或密码不正确"}


def _price(flight: dict[str, Any], cabin: str) -> Any:
    return flight["economy_price"] if cabin == ECONOMY else flight["business_price"]


class TravelApi:
    """Flights and bookings; the state the ground truth checks is ``users`` and ``reservations``."""

    tool_functions: list[str] = [
        "get_user_details",
        "get_flight_details",
        "get_reservation_details",
        "reserve_flight",
        "cancel_reservation",
        "modify_flight",
    ]

    def __init__(self) -> None:
        self.users = _seed.travel_users()
        self.flights = _seed.flights()
        self.reservations = _seed.reservations()

    def get_state_dict(self) -> dict[str, Any]:
        """``{"Travel": {"users", "reservations"}}``."""
        return {"Travel": {"users": self.users, "reservations": self.reservations}}

    # ------------------------------------------------------------------ lookups
    def _flight(self, flight_no: str, *, available: bool = False) -> dict[str, Any] | None:
        for flight in self.flights:
            if flight["flight_no"] == flight_no and (
                not available or flight["status"] == "available"
            ):
                return flight
        return None

    def _reservation(self, reservation_id: str, user_id: str) -> dict[str, Any] | None:
        for reservation in self.reservations:
            if (
                reservation["reservation_id"] == reservation_id
                and reservation["user_id"] == user_id
            ):
                return reservation
        return None

    def get_flight_details(
        self, origin: str | None = None, destination: str | None = None
    ) -> list[dict[str, Any]] | str:
        """Direct flights, filtered by origin and/or destination city.

        Args:
            origin: The departure city.
            destination: The arrival city.
        """
        found = [
            dict(flight)
            for flight in self.flights
            if (not origin or flight["origin"] == origin)
            and (not destination or flight["destination"] == destination)
        ]
        return found or "没有符合条件的直达航班"

    def get_user_details(self, user_id: str, password: str) -> dict[str, Any]:
        """An account's details (without its password).

        Args:
            user_id: The account id (user1...).
            password: Its password.
        """
        user = self.users.get(user_id)
        if user and user["password"] == password:
            return {k: v for k, v in user.items() if k != "password"}
        return dict(_WRONG_LOGIN)

    def get_reservation_details(
        self, reservation_id: str | None = None, user_id: str | None = None
    ) -> list[dict[str, Any]] | dict[str, Any]:
        """Bookings by booking id, else by account id, each with its flight's details.

        Args:
            reservation_id: The booking id (res_1...).
            user_id: The account id.
        """
        if reservation_id:
            chosen = [r for r in self.reservations if r["reservation_id"] == reservation_id]
        elif user_id:
            chosen = [r for r in self.reservations if r["user_id"] == user_id]
        else:
            return {"status": "error", "message": "请提供有效的预订ID或用户ID"}
        return [{**r, "flight_info": self._flight(r["flight_no"])} for r in chosen]

    def authenticate_user(self, user_id: str, password: str) -> dict[str, Any]:
        """The account itself, or the wrong-login answer."""
        user = self.users.get(user_id)
        if user and user["password"] == password:
            return user
        return dict(_WRONG_LOGIN)

    def get_baggage_allowance(self, membership_level: str, cabin_class: str) -> int:
        """Free checked bags for a membership level and cabin (0 when unknown)."""
        return _FREE_BAGGAGE.get(membership_level, {}).get(cabin_class, 0)

    def find_transfer_flights(
        self, origin_city: str, transfer_city: str, destination_city: str
    ) -> list[dict[str, Any]] | str:
        """Pairs of available flights through a city, the first landing before the second leaves."""
        first = [
            f
            for f in self.flights
            if f["origin"] == origin_city
            and f["destination"] == transfer_city
            and f["status"] == "available"
        ]
        second = [
            f
            for f in self.flights
            if f["origin"] == transfer_city
            and f["destination"] == destination_city
            and f["status"] == "available"
        ]
        pairs = [
            {"first_leg": a, "second_leg": b}
            for a in first
            for b in second
            if datetime.strptime(a["arrival_time"], _TIME)
            < datetime.strptime(str(b["depart_time"]), _TIME)
        ]
        return pairs or "未找到符合条件的中转航班。"

    def calculate_baggage_fee(
        self, membership_level: str, cabin_class: str, baggage_count: int
    ) -> float:
        """The fee for the bags beyond the free allowance (50 each)."""
        extra = max(baggage_count - self.get_baggage_allowance(membership_level, cabin_class), 0)
        return extra * BAGGAGE_FEE

    def update_balance(self, user: dict[str, Any], payment_method: str, amount: float) -> bool:
        """Add ``amount`` (negative: pay) to the cash or bank balance; False if it would go
        below zero. Another payment method changes nothing and answers True (as ACEBench)."""
        key = {"cash": "cash_balance", "bank": "bank_balance"}.get(payment_method)
        if key is None:
            return True
        if user[key] + amount < 0:
            return False
        user[key] += amount
        return True

    def process_refund(self, user: dict[str, Any], amount: float) -> str:
        """Refunds go to the cash balance."""
        user["cash_balance"] += amount
        return f"已成功处理退款，{user['user_name']}的现金余额增加了{amount}元。"

    def calculate_price_difference(
        self, flight: dict[str, Any], old_cabin: str, new_cabin: str
    ) -> float:
        """New cabin's price minus the old one's (an unknown cabin costs 0)."""
        prices = {ECONOMY: flight["economy_price"], BUSINESS: flight["business_price"]}
        return prices.get(new_cabin, 0) - prices.get(old_cabin, 0)

    # ------------------------------------------------------------------ changes
    def reserve_flight(
        self,
        user_id: str,
        password: str,
        flight_no: str,
        cabin: str,
        payment_method: str,
        baggage_count: int,
    ) -> str:
        """Book a seat; the ticket and the extra bags are paid at once.

        Args:
            user_id: The account id.
            password: Its password.
            flight_no: The flight.
            cabin: "经济舱" or "商务舱".
            payment_method: "cash" or "bank".
            baggage_count: Checked bags.
        """
        user = self.users.get(user_id)
        if not user or user["password"] != password:
            return "认证失败，请检查用户ID和密码。"
        flight = self._flight(flight_no, available=True)
        if flight is None:
            return f"航班{flight_no}不存在或不可预订。"
        if cabin not in (ECONOMY, BUSINESS):
            return f"舱位无效：{cabin}（可选：{ECONOMY}、{BUSINESS}）。"
        total = _price(flight, cabin) + self.calculate_baggage_fee(
            user["membership_level"], cabin, baggage_count
        )
        if payment_method not in ("cash", "bank"):
            return "支付方式无效"
        key = f"{payment_method}_balance"
        if total > user[key]:
            return f"{payment_method}余额不足，请考虑换一种支付方式"
        user[key] -= total
        flight["seats_available"] -= 1
        reservation_id = f"res_{len(self.reservations) + 1}"
        self.reservations.append(
            {
                "reservation_id": reservation_id,
                "user_id": user_id,
                "flight_no": flight_no,
                "payment_method": payment_method,
                "cabin": cabin,
                "baggage": baggage_count,
            }
        )
        return f"预订成功，预订号：{reservation_id}，总费用：{total}元（包含行李费用）。"

    def modify_flight(
        self,
        user_id: str,
        reservation_id: str,
        new_flight_no: str | None = None,
        new_cabin: str | None = None,
        add_baggage: int = 0,
        new_payment_method: str | None = None,
    ) -> str:
        """Change a booking's flight (same route), cabin (pay or get back the difference)
        and add bags (beyond the allowance: 50 each).

        Args:
            user_id: The account id.
            reservation_id: The booking id.
            new_flight_no: Another flight on the same route.
            new_cabin: The new cabin.
            add_baggage: Bags to add.
            new_payment_method: Pay the changes with this instead.
        """
        reservation = self._reservation(reservation_id, user_id)
        if reservation is None:
            return "预订未找到或用户ID不匹配。"
        flight = self._flight(reservation["flight_no"])
        if flight is None:
            return "航班信息未找到。"
        method = new_payment_method or reservation["payment_method"]
        user = self.users[user_id]
        notes: list[str] = []
        if new_flight_no and new_flight_no != reservation["flight_no"]:
            other = self._flight(new_flight_no)
            if (
                other is None
                or other["origin"] != flight["origin"]
                or other["destination"] != flight["destination"]
            ):
                return "航班更改失败：新的航班号无效或目的地不匹配。"
            reservation["flight_no"] = new_flight_no
            notes.append("航班号已更改。")
        if new_cabin and new_cabin != reservation.get("cabin"):
            # priced on the booked flight, as ACEBench does
            difference = self.calculate_price_difference(flight, reservation["cabin"], new_cabin)
            reservation["cabin"] = new_cabin
            if difference > 0:
                if self.update_balance(user, method, -difference):
                    notes.append(f"舱位更改成功。已支付差价: {difference}。")
                else:
                    notes.append("余额不足，无法支付舱位差价。")
            elif difference < 0:
                self.update_balance(user, method, -difference)
                notes.append(f"舱位更改成功。已退款差价: {-difference}。")
        if add_baggage > 0:
            total_bags = reservation.get("baggage", 0) + add_baggage
            free = self.get_baggage_allowance(user["membership_level"], reservation["cabin"])
            cost = max(0, total_bags - free) * BAGGAGE_FEE
            if cost > 0:
                if self.update_balance(user, method, -cost):
                    notes.append(f"行李已增加。需支付额外费用: {cost}。")
                else:
                    notes.append("余额不足，无法支付额外行李费用。")
            reservation["baggage"] = total_bags
        return " ".join(notes or ["修改完成，无需额外费用。"])

    def cancel_reservation(self, user_id: str, reservation_id: str, reason: str) -> str:
        """Cancel a booking: free when the airline cancelled or more than 24 h before
        departure, else 10% of the fare is kept. The refund goes to cash; the booking stays
        on the list (as ACEBench keeps it).

        Args:
            user_id: The account id.
            reservation_id: The booking id.
            reason: Why ("航空公司取消航班" when the airline cancelled).
        """
        user = self.users.get(user_id)
        if not user:
            return "用户ID无效。"
        reservation = self._reservation(reservation_id, user_id)
        if reservation is None:
            return "预订ID无效或与该用户无关。"
        flight = self._flight(reservation["flight_no"])
        if flight is None:
            return "航班信息无效。"
        depart = datetime.strptime(flight["depart_time"], _TIME)
        if NOW > depart:
            return "航段已使用，无法取消。"
        fare = _price(flight, reservation["cabin"])
        if reason == "航空公司取消航班":
            self.process_refund(user, fare)
            return f"航班已取消，您的预订将被免费取消，已退款{fare}元。"
        if depart - NOW > timedelta(days=1):
            self.process_refund(user, fare)
            return f"距离出发时间超过24小时，免费取消成功，已退款{fare}元。"
        fee = fare * 0.1
        refund = fare - fee
        self.process_refund(user, refund)
        return f"距离出发时间不足24小时，已扣除取消费{fee}元，退款{refund}元。"


__all__ = ["TravelApi"]
