"""Normalisers: numbers, money, rates, quantities, dates and comparison words."""
