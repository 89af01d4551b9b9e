"""ACEBench (https://github.com/ACEBench/ACEBench) in ascope_nb: the benchmark, its phone
and travel simulators, and its metrics (AgentScope 1.x's ``ACEBenchmark``, ``ACEPhone``,
``ACEAccuracy``, ``ACEProcessAccuracy``).

Example:
    >>> from ascope_nb.evaluate import ACEPhone
    >>> ACEPhone().get_tool_function("check_balance")(user_name="Eve").content[0]["text"]
    '500.0'
"""

from ._benchmark import ACEBenchmark
from ._food_app import FoodPlatformApi
from ._message_app import MessageApi
from ._metrics import ACEAccuracy, ACEProcessAccuracy
from ._phone import ACEPhone
from ._reminder_app import ReminderApi
from ._travel_app import TravelApi

__all__ = [
    "ACEBenchmark",
    "ACEPhone",
    "ACEAccuracy",
    "ACEProcessAccuracy",
    "MessageApi",
    "ReminderApi",
    "FoodPlatformApi",
    "TravelApi",
]
