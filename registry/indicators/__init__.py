"""Province-wide indicators (SPEC §3b): definitions, values entered and verified by the
DIC's auditors (four eyes), and their exact evaluation."""
