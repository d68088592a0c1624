"""QR codes for certificate verification (the helpers live in trainer.core.qr)."""

from trainer.core.qr import QR_ERROR_LEVEL, QR_PRINT_SIZE, make_qr, qr_svg

__all__ = ["QR_ERROR_LEVEL", "QR_PRINT_SIZE", "make_qr", "qr_svg"]
