"""Household cards: a printable card per household (PDF, A6 or A7, several per A4
sheet) with a QR code holding an opaque token that other modules scan to find the
household. See pdf.py for the card and the QR payload."""
