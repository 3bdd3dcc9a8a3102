"""Opens a ciiscope XLSX report with openpyxl and prints key=value facts
for report_look_test: sheet names, header rows, formula cells, frozen panes,
autofilters, row counts and cell types."""
import sys

import openpyxl

wb = openpyxl.load_workbook(sys.argv[1])
sheets = wb.worksheets
print("sheets=" + "|".join(ws.title for ws in sheets))
formulas = 0
texts = []
max_len = 0
for ws in sheets:
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                formulas += 1
            if isinstance(cell.value, str):
                texts.append(cell.value)
                max_len = max(max_len, len(cell.value))
print("formulas=%d" % formulas)
for i, ws in enumerate(sheets):
    header = [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]
    print("header%d=%s" % (i, "|".join("" if v is None else str(v) for v in header)))
    print("rows%d=%d" % (i, ws.max_row))
print("frozen=" + "|".join(str(ws.freeze_panes) for ws in sheets))
print("autofilter=" + "|".join("yes" if ws.auto_filter.ref else "no" for ws in sheets))
print("formula_text_kept=%s" % ("yes" if "=cmd|' /C calc'!A0" in texts else "no"))
ports = [ws.cell(row=r, column=5).value for ws in sheets[1:2] for r in range(2, ws.max_row + 1)]
print("port_is_number=%s" % ("yes" if any(isinstance(p, (int, float)) for p in ports) else "no"))
print("max_cell_len_ok=%s" % ("yes" if max_len <= 32767 else "no"))
