"""Agency scorecards and the yearly ranking (SPEC §3c): the method as data (``method``),
each agency's figures and scorecard (``figures``, ``scorecard``), the ranking per
group (``ranking``) and its comparison table (``comparison``). No Flask here."""
