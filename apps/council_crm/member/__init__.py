"""The member area (/member/): councillors and the officers who support them."""
