"""The model to tune (``TunerModelConfig``) and its optional Tinker LoRA settings."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import OneLineModel


class TinkerConfig(OneLineModel):
    """LoRA settings when training goes through a Tinker service.

    Example:
        >>> TinkerConfig(rank=8).get_config()["rank"]
        8
    """

    rank: int = Field(default=16, ge=1, description="LoRA rank.")
    seed: int | None = Field(default=None, description="Seed of the LoRA init; None: random.")
    train_mlp: bool = Field(default=True, description="Put LoRA on the MLP layers.")
    train_attn: bool = Field(default=True, description="Put LoRA on the attention layers.")
    train_unembed: bool = Field(default=True, description="Put LoRA on the unembedding layer.")
    base_url: str | None = Field(default=None, description="Tinker service URL; None: default.")

    def get_config(self) -> dict[str, Any]:
        """The settings as the keyword arguments of Trinity-RFT's ``TinkerConfig``."""
        return self.model_dump()


class TunerModelConfig(OneLineModel):
    """The model being tuned: where its weights are and how it is served for rollouts.

    Example:
        >>> cfg = TunerModelConfig(model_path="Qwen/Qwen3-0.6B", max_model_len=4096)
        >>> cfg.get_config()["engine_num"], cfg.max_tokens
        (1, 8192)
    """

    model_path: str = Field(min_length=1, description="Checkpoint path or hub id.")
    max_model_len: int = Field(ge=1, description="Context plus generated tokens, at most.")
    temperature: float = Field(default=1.0, ge=0.0, description="Sampling temperature.")
    top_p: float = Field(default=1.0, gt=0.0, le=1.0, description="Nucleus sampling mass.")
    max_tokens: int = Field(default=8192, ge=1, description="Most tokens generated per call.")
    enable_thinking: bool | None = Field(default=None, description="Qwen3 thinking switch.")
    tensor_parallel_size: int = Field(default=1, ge=1, description="GPUs per inference engine.")
    inference_engine_num: int = Field(default=1, ge=1, description="Inference engines.")
    tool_call_parser: str = Field(default="hermes", description="Serving tool-call parser.")
    reasoning_parser: str = Field(default="deepseek_r1", description="Serving reasoning parser.")
    tinker_config: TinkerConfig | None = Field(default=None, description="Tinker LoRA; or None.")

    def get_config(self) -> dict[str, Any]:
        """The serving settings as the keyword arguments of Trinity-RFT's inference config."""
        return {
            "model_path": self.model_path,
            "max_model_len": self.max_model_len,
            "tensor_parallel_size": self.tensor_parallel_size,
            "engine_num": self.inference_engine_num,
            "tool_call_parser": self.tool_call_parser,
            "reasoning_parser": self.reasoning_parser,
            "enable_openai_api": True,
            "enable_auto_tool_choice": True,
        }
