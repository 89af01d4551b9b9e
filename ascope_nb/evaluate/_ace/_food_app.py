"""The food delivery app (ACEBench's ``FoodPlatformApi``): six accounts, six merchants,
orders paid from the account's balance.

Example:
    >>> app = FoodPlatformApi({"wifi": True, "logged_in": True})
    >>> app.login_food_platform("Eve", "password123")["status"]
    True
    >>> app.add_food_delivery_order("Eve", "喜茶", [{"product": "芝士奶茶", "quantity": 2}])["status"]
    True
    >>> app.check_balance("Eve")
    450.0
"""

from __future__ import annotations

from typing import Any

from . import _seed
from ._device import DeviceBound, Result, failed


class FoodPlatformApi(DeviceBound):
    """Sign in (needs Wi-Fi), browse menus, order."""

    tool_functions: list[str] = [
        "login_food_platform",
        "view_logged_in_users",
        "check_balance",
        "add_food_delivery_order",
        "get_products",
        "view_orders",
        "search_orders",
    ]

    def __init__(self, shared_state: dict[str, bool]) -> None:
        super().__init__(shared_state)
        self.users = _seed.food_users()
        self.merchant_list = _seed.merchants()
        self.logged_in_users: list[str] = []
        self.orders: list[dict[str, Any]] = []

    def get_state_dict(self) -> dict[str, Any]:
        """``{"FoodPlatform": {"logged_in_users", "orders", "users"}}``."""
        return {
            "FoodPlatform": {
                "logged_in_users": self.logged_in_users,
                "orders": self.orders,
                "users": self.users,
            }
        }

    def login_food_platform(self, username: str, password: str) -> Result:
        """Sign in to the food platform.

        Args:
            username: The account name.
            password: Its password.
        """
        if not self.wifi:
            return failed("wifi未打开，无法登录")
        if username not in self.users:
            return failed("用户不存在")
        if self.users[username]["password"] != password:
            return failed("密码错误")
        if username in self.logged_in_users:
            return failed(f"{username} 已经登录")
        self.logged_in_users.append(username)
        return {"status": True, "message": f"用户{username}登陆成功！"}

    def view_logged_in_users(self) -> Result:
        """Who is signed in."""
        if not self.logged_in_users:
            return failed("当前没有登录food platform")
        return {"status": True, "logged_in_users": self.logged_in_users}

    def check_balance(self, user_name: str) -> float:
        """An account's balance (0.0 for an unknown name).

        Args:
            user_name: The account name.
        """
        user = self.users.get(user_name)
        return float(user["balance"]) if user else 0.0

    def add_food_delivery_order(
        self, username: str, merchant_name: str, items: list[dict[str, Any]]
    ) -> Result:
        """Order food; the total is taken from the balance (which must stay above zero).

        Args:
            username: Who orders (signed in).
            merchant_name: The merchant.
            items: ``[{"product": name, "quantity": n}]`` (quantity defaults to 1).
        """
        if username not in self.logged_in_users:
            return failed(f"用户 {username} 未登录food platform")
        merchant = self.merchant_list.get(merchant_name)
        if merchant is None:
            return failed("商家不存在")
        prices: dict[str, float] = {}
        for entry in merchant["menu"]:
            prices.setdefault(entry["product"], entry["price"])
        total, lines = 0.0, []
        for item in items:
            product, quantity = item.get("product"), item.get("quantity", 1)
            if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
                return failed(f"无效的数量 {quantity} 对于商品 {product}")
            if product not in prices:
                return failed(f"商品 {product} 不存在于 {merchant_name} 的菜单中")
            total += prices[product] * quantity
            lines.append(
                {"product": product, "quantity": quantity, "price_per_unit": prices[product]}
            )
        if total >= self.users[username]["balance"]:
            return failed("余额不足，无法下单")
        self.users[username]["balance"] -= total
        self.orders.append(
            {
                "user_name": username,
                "merchant_name": merchant_name,
                "items": lines,
                "total_price": total,
            }
        )
        return {
            "status": True,
            "message": f"外卖订单成功下单给 {merchant_name}，总金额为 {total} 元",
        }

    def get_products(self, merchant_name: str) -> list[dict[str, Any]] | Result:
        """A merchant's menu.

        Args:
            merchant_name: The merchant.
        """
        merchant = self.merchant_list.get(merchant_name)
        if merchant:
            return list(merchant["menu"])
        return failed(f"商家 '{merchant_name}' 不存在")

    def view_orders(self, user_name: str) -> Result:
        """An account's orders.

        Args:
            user_name: The account name.
        """
        mine = [order for order in self.orders if order["user_name"] == user_name]
        if not mine:
            return failed("用户没有订单记录")
        return {"status": True, "orders": mine}

    def search_orders(self, keyword: str) -> Result:
        """Orders whose merchant or a product contains a keyword (case-insensitive).

        Args:
            keyword: The word to look for.
        """
        needle = keyword.lower()
        found = [
            order
            for order in self.orders
            if needle in order["merchant_name"].lower()
            or any(needle in str(line.get("product", "")).lower() for line in order["items"])
        ]
        if not found:
            return failed("没有找到匹配的订单")
        return {"status": True, "orders": found}


__all__ = ["FoodPlatformApi"]
