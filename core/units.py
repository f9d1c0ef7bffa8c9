"""Units of measure shared by the NLU's measurement parser and the sizing actions."""

CM_PER_INCH = 2.54
CM_PER_FOOT = 30.48
KG_PER_POUND = 0.45359237
KG_PER_STONE = 6.35029318
