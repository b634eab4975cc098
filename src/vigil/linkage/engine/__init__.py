"""The machine side of identity linking: read the register and the allegations out of the database
into DuckDB (extract), derive comparable forms of each name, number and detail (prepare), score
candidate pairs with a Splink Fellegi-Sunter model (model), and turn scores into decisions (decide).

Django stays out of everything but extract and the write-back in vigil.linkage.runs."""
