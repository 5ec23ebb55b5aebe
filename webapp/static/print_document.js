// The print button of a printable document (the page allows scripts from this site only).
document.getElementById("zhifa-print").addEventListener("click", function () { window.print(); });
