"""The kinds of equipment in a meeting room, shared by the accounts (what a site has) and the
flows (what a check is about).

The provider maintains audio-visual equipment of any maker, so an asset names its category; the
bundled Norvale product lines map to categories here, so their assets need not say it.
"""

from __future__ import annotations

from enum import StrEnum


class DeviceCategory(StrEnum):
    CODEC = "codec"
    DISPLAY = "display"
    CAMERA = "camera"
    MICROPHONE = "microphone"
    DSP = "dsp"
    SPEAKER = "speaker"
    AMPLIFIER = "amplifier"
    TOUCH_PANEL = "touch_panel"
    WIRELESS_PRESENTER = "wireless_presenter"
    SWITCH = "switch"
    OTHER = "other"

    @property
    def words(self) -> str:
        """How a site user would name it: "touch panel", "wireless presenter"."""
        return _WORDS.get(self, self.value.replace("_", " "))


_WORDS = {
    DeviceCategory.CODEC: "room system (codec)",
    DeviceCategory.DSP: "audio processor (DSP)",
    DeviceCategory.SWITCH: "network switch",
}

#: Category of each bundled product line's models (docs/portfolio.md).
MODEL_CATEGORIES: dict[str, DeviceCategory] = {
    "AX-CM3": DeviceCategory.MICROPHONE,
    "WX-B": DeviceCategory.WIRELESS_PRESENTER,
}
#: What people call the bundled models ("the button" is the WX-B, not the WX-4 gateway).
MODEL_WORDS: dict[str, tuple[str, ...]] = {
    "WX-B": ("button", "usb-c button", "usb button", "sharing button", "share button", "dongle",
             "usb-c dongle", "puck"),
    "WX-4": ("gateway", "base unit", "receiver", "wireless box"),
    "AX-CM3": ("ceiling mic", "ceiling microphone", "mic ring", "microphone ring"),
    "AX-8": ("dsp", "audio processor", "audio box"),
    "TX-10": ("touch panel", "panel", "touchscreen", "touch screen"),
}  # fmt: skip
PRODUCT_CATEGORIES: dict[str, DeviceCategory] = {
    "cx-codec": DeviceCategory.CODEC,
    "vx-camera": DeviceCategory.CAMERA,
    "ax-audio": DeviceCategory.DSP,
    "tx-panel": DeviceCategory.TOUCH_PANEL,
    "wx-share": DeviceCategory.WIRELESS_PRESENTER,
}


def category_of(product: str | None, model: str, given: DeviceCategory | None) -> DeviceCategory:
    """The given category, else the bundled model's or product line's, else ``other``."""
    if given is not None:
        return given
    if model.upper() in MODEL_CATEGORIES:
        return MODEL_CATEGORIES[model.upper()]
    return PRODUCT_CATEGORIES.get(product or "", DeviceCategory.OTHER)


def product_words(product: str) -> str:
    """A product id as words: 'cx-codec' -> 'CX codec', 'mediasoup' stays."""
    return " ".join(w.upper() if len(w) <= 2 else w for w in product.split("-"))
