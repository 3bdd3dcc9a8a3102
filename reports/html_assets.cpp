#include "reports/html_assets.h"

#include <cstdint>

#include "core/hash.h"

namespace ciiscope::reports {
namespace {

constexpr std::string_view kCss = R"css(
:root{--ink:#1f2933;--muted:#616e7c;--line:#d9e2ec;--bg:#f5f7fa;--card:#fff;--brand:#0b3d63;
--critical:#7f1d1d;--high:#c62828;--medium:#ef6c00;--low:#f9a825;--info:#1565c0}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 -apple-system,"Segoe UI",
"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif}
header.top{background:var(--brand);color:#fff;padding:18px 32px}
header.top .brand{font-weight:700;letter-spacing:.08em;font-size:13px;opacity:.85;text-transform:lowercase}
header.top h1{margin:2px 0 0;font-size:24px;font-weight:600}
header.top .meta{margin-top:4px;font-size:12px;opacity:.8}
main{max-width:1280px;margin:0 auto;padding:24px 32px 48px}
section{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:18px 22px;margin-bottom:22px}
h2{font-size:17px;margin:0 0 14px;color:var(--brand)}
.summary{display:flex;flex-wrap:wrap;gap:24px}
dl.scan{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0;flex:1 1 360px}
dl.scan dt{color:var(--muted)}
dl.scan dd{margin:0;word-break:break-all}
.cards{display:grid;grid-template-columns:repeat(2,minmax(120px,1fr));gap:10px;flex:0 1 320px}
.card{border:1px solid var(--line);border-radius:6px;padding:10px 14px}
.card .n{font-size:26px;font-weight:700;color:var(--brand)}
.card .l{color:var(--muted);font-size:12px}
.chart{flex:1 1 420px}
.chart h3{font-size:13px;color:var(--muted);font-weight:600;margin:0 0 6px}
.chart svg{max-width:100%;height:auto}
.tools{display:flex;align-items:center;gap:10px;margin-bottom:10px}
.tools input{flex:0 1 320px;padding:6px 10px;border:1px solid var(--line);border-radius:4px;font:inherit}
.tools .count{color:var(--muted);font-size:12px}
.scroll{overflow-x:auto}
table.data{border-collapse:collapse;width:100%;font-size:13px}
table.data th,table.data td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
table.data td{overflow-wrap:anywhere;white-space:pre-wrap;max-width:36em}
table.data td.addr,table.data td.time,table.data td.num,table.data td.sevcell{white-space:nowrap;overflow-wrap:normal}
table.data td.rule{min-width:13em}
table.data th{background:#eef2f7;position:sticky;top:0;white-space:nowrap}
table.data th button{all:unset;cursor:pointer;font-weight:600}
table.data th button:focus-visible{outline:2px solid var(--brand)}
table.data th[aria-sort=ascending] button::after{content:" \25B2";font-size:10px}
table.data th[aria-sort=descending] button::after{content:" \25BC";font-size:10px}
table.data tbody tr:hover{background:#f0f4f8}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.time{color:var(--muted);font-size:12px}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.sev{display:inline-block;min-width:48px;text-align:center;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600}
.sev-critical{background:var(--critical)}.sev-high{background:var(--high)}
.sev-medium{background:var(--medium)}.sev-low{background:var(--low);color:#3e2c00}
.sev-info{background:var(--info)}.sev-unknown{background:var(--muted)}
.empty{color:var(--muted);font-style:italic}
footer{max-width:1280px;margin:0 auto;padding:0 32px 32px;color:var(--muted);font-size:12px}
@media print{header.top{background:#fff;color:var(--brand);border-bottom:2px solid var(--brand)}
.tools{display:none}section{break-inside:avoid-page;border:none}table.data th{position:static}}
)css";

constexpr std::string_view kScript = R"js(
(function () {
  'use strict';
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  function key(row, i) {
    var cell = row.cells[i];
    if (!cell) return '';
    var k = cell.getAttribute('data-sort');
    return k !== null ? k : cell.textContent;
  }
  each(document.querySelectorAll('table.data'), function (table) {
    if (!table.tHead || !table.tBodies.length) return;
    var body = table.tBodies[0];
    var heads = table.tHead.rows[0].cells;
    each(heads, function (th, index) {
      var button = th.querySelector('button');
      if (!button) return;
      button.addEventListener('click', function () {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        each(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var numeric = th.getAttribute('data-type') === 'number';
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (x, y) {
          var a = key(x, index), b = key(y, index);
          var r = numeric ? (parseFloat(a) || 0) - (parseFloat(b) || 0)
                          : a.localeCompare(b, undefined, {numeric: true});
          return asc ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  each(document.querySelectorAll('input[data-filter]'), function (input) {
    var id = input.getAttribute('data-filter');
    var table = document.getElementById(id);
    var counter = document.getElementById(id + '-count');
    if (!table || !table.tBodies.length) return;
    input.hidden = false;
    input.addEventListener('input', function () {
      var q = input.value.trim().toLowerCase();
      var rows = table.tBodies[0].rows, shown = 0;
      each(rows, function (row) {
        var hit = q === '' || row.textContent.toLowerCase().indexOf(q) !== -1;
        row.hidden = !hit;
        if (hit) shown++;
      });
      if (counter) counter.textContent = q === '' ? '' : shown + ' / ' + rows.length;
    });
  });
})();
)js";

constexpr std::string_view kTableCss = R"css(
.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
.facts dt{color:var(--muted)}.facts dd{margin:0;word-break:break-all}
.charts{display:flex;flex-wrap:wrap;gap:24px;margin-top:14px}
.charts figure{margin:0;flex:1 1 420px}
.charts figcaption{font-size:13px;color:var(--muted);font-weight:600;margin:0 0 6px}
.charts svg{max-width:100%;height:auto}
p.intro{color:var(--muted);margin:0 0 10px}
article.notice{border:1px solid var(--line);border-left:4px solid var(--high);border-radius:4px;padding:12px 16px;margin:0 0 16px}
article.notice h3{margin:0 0 6px;font-size:15px}
article.notice p{margin:0 0 10px;white-space:pre-wrap}
td.up{color:#2e7d32}td.down{color:var(--high)}
td.sev-critical,td.sev-high{background:none;color:var(--high);font-weight:600}
td.sev-medium,td.sev-low,td.sev-info,td.sev-unknown{background:none;color:inherit}
@media print{article.notice{break-inside:avoid-page;break-before:page}}
)css";

std::string Base64(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                 static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string HexToBytes(std::string_view hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>((nibble(hex[i]) << 4) | nibble(hex[i + 1]));
  }
  return out;
}

}  // namespace

std::string_view HtmlReportCss() { return kCss; }
std::string_view HtmlReportScript() { return kScript; }

std::string CspHashSource(std::string_view inline_text) {
  return "'sha256-" + Base64(HexToBytes(core::Sha256Hex(inline_text))) + "'";
}

std::string_view TableReportCss() { return kTableCss; }

std::string TableReportCsp() {
  return "default-src 'none'; style-src " + CspHashSource(kCss) + " " +
         CspHashSource(kTableCss) + "; img-src data:; script-src " + CspHashSource(kScript) +
         "; base-uri 'none'; form-action 'none'; object-src 'none'";
}

std::string HtmlReportCsp() {
  return "default-src 'none'; style-src " + CspHashSource(kCss) +
         "; img-src data:; script-src " + CspHashSource(kScript) +
         "; base-uri 'none'; form-action 'none'; object-src 'none'";
}

}  // namespace ciiscope::reports
