"""The words the synthetic registry is made of: place names, agency and procedure name
templates, sectors, and the shares and paces its figures follow (data tables)."""

# --- words ----------------------------------------------------------------------------

# Two syllables make a place name; the lists mix the lowland and the highland names of
# the north, so that search finds a place in some provinces and not in others.
PLACE_FIRST = (
    "Thanh", "Tân", "Hòa", "Bình", "An", "Phú", "Xuân", "Nghĩa", "Đông", "Tây", "Nam", "Bắc", "Sơn", "Hà",
    "Lạc", "Quảng", "Long", "Vĩnh", "Hưng", "Phước", "Đức", "Trung", "Hải", "Yên", "Cẩm", "Thạch", "Kim",
    "Hồng", "Lâm", "Minh", "Tiến", "Thuận", "Mường", "Nậm", "Na", "Tả", "Huổi", "Pá", "Chiềng", "Nà",
    "Quỳnh", "Hoàng", "Việt", "Định", "Mỹ", "Gia", "Thái", "Lương", "Ngọc", "Tú",
)
PLACE_SECOND = (
    "Xương", "An", "Bình", "Hòa", "Lợi", "Phong", "Thịnh", "Hưng", "Thành", "Lộc", "Phúc", "Sơn", "Giang",
    "Lâm", "Điền", "Trạch", "Mỹ", "Quang", "Tiến", "Thắng", "Lay", "Pồ", "Chà", "Nhé", "Ảng", "Luân", "Tùng",
    "Hiệp", "Khê", "Đồng", "Thủy", "Hà", "Yên", "Linh", "Châu", "Trung", "Tân", "Cường", "Nguyên", "Vinh",
)

# (Vietnamese word, English word, share) of each kind of place below a province.
DISTRICT_TYPES = (("huyện", "District", 0.8), ("thị xã", "Town", 0.1), ("thành phố", "City", 0.1))
COMMUNE_TYPES = (("xã", "Commune", 0.8), ("phường", "Ward", 0.12), ("thị trấn", "Township", 0.08))
# what a district's Party committee and youth union are called, by the kind of district
DISTRICT_PARTY = {"huyện": ("Huyện ủy", "Huyện đoàn"), "thị xã": ("Thị ủy", "Thị đoàn"),
                  "thành phố": ("Thành ủy", "Thành đoàn")}

# Agency templates: (key, Vietnamese, English). {p} is the province's name, {d} the
# district's with its kind ("huyện Tuần Giáo"), {dn} the district's bare name with
# {dt} its English kind, {c}/{cn}/{ct} the same for a commune, {n} a number (only the
# last template of a list may have one: it repeats as often as needed).
PROVINCE_PC = ("ubnd", "Ủy ban nhân dân tỉnh {p}", "People's Committee of {p} Province")
# The key is the department's code in the demonstration set, whose real procedures it offers.
DEPARTMENTS = (
    ("vp-ubnd-tinh", "Văn phòng Ủy ban nhân dân tỉnh {p}", "Office of the People's Committee of {p} Province"),
    ("so-tu-phap", "Sở Tư pháp tỉnh {p}", "Department of Justice of {p} Province"),
    ("so-khdt", "Sở Kế hoạch và Đầu tư tỉnh {p}", "Department of Planning and Investment of {p} Province"),
    ("so-y-te", "Sở Y tế tỉnh {p}", "Department of Health of {p} Province"),
    ("so-gddt", "Sở Giáo dục và Đào tạo tỉnh {p}", "Department of Education and Training of {p} Province"),
    ("so-tnmt", "Sở Tài nguyên và Môi trường tỉnh {p}",
     "Department of Natural Resources and Environment of {p} Province"),
    ("so-xay-dung", "Sở Xây dựng tỉnh {p}", "Department of Construction of {p} Province"),
    ("so-gtvt", "Sở Giao thông vận tải tỉnh {p}", "Department of Transport of {p} Province"),
    ("so-tai-chinh", "Sở Tài chính tỉnh {p}", "Department of Finance of {p} Province"),
    ("so-noi-vu", "Sở Nội vụ tỉnh {p}", "Department of Home Affairs of {p} Province"),
    ("so-tttt", "Sở Thông tin và Truyền thông tỉnh {p}",
     "Department of Information and Communications of {p} Province"),
    ("so-cong-thuong", "Sở Công Thương tỉnh {p}", "Department of Industry and Trade of {p} Province"),
    ("so-nnptnt", "Sở Nông nghiệp và Phát triển nông thôn tỉnh {p}",
     "Department of Agriculture and Rural Development of {p} Province"),
    ("so-ldtbxh", "Sở Lao động - Thương binh và Xã hội tỉnh {p}",
     "Department of Labour, Invalids and Social Affairs of {p} Province"),
    ("so-vhttdl", "Sở Văn hóa, Thể thao và Du lịch tỉnh {p}",
     "Department of Culture, Sports and Tourism of {p} Province"),
    ("so-khcn", "Sở Khoa học và Công nghệ tỉnh {p}", "Department of Science and Technology of {p} Province"),
    ("thanh-tra-tinh", "Thanh tra tỉnh {p}", "Inspectorate of {p} Province"),
    ("ban-dan-toc", "Ban Dân tộc tỉnh {p}", "Committee for Ethnic Minority Affairs of {p} Province"),
)
HEALTH_DEPARTMENT, EDUCATION_DEPARTMENT = "so-y-te", "so-gddt"
PROVINCE_ORGS = (
    ("tinh-uy", "Tỉnh ủy {p}", "{p} Provincial Party Committee"),
    ("ubmttq", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh {p}", "Vietnam Fatherland Front Committee of {p} Province"),
    ("tinh-doan", "Tỉnh đoàn {p}", "{p} Provincial Ho Chi Minh Communist Youth Union"),
    ("hlhpn", "Hội Liên hiệp Phụ nữ tỉnh {p}", "{p} Provincial Women's Union"),
    ("hnd", "Hội Nông dân tỉnh {p}", "{p} Provincial Farmers' Union"),
    ("hccb", "Hội Cựu chiến binh tỉnh {p}", "{p} Provincial Veterans' Association"),
    ("ldld", "Liên đoàn Lao động tỉnh {p}", "{p} Provincial Federation of Labour"),
)
PROVINCE_HOSPITALS = (
    ("bv-dk", "Bệnh viện Đa khoa tỉnh {p}", "{p} Provincial General Hospital"),
    ("bv-yhct", "Bệnh viện Y học cổ truyền tỉnh {p}", "{p} Provincial Traditional Medicine Hospital"),
    ("bv-sn", "Bệnh viện Sản - Nhi tỉnh {p}", "{p} Provincial Obstetrics and Paediatrics Hospital"),
    ("bv-phoi", "Bệnh viện Phổi tỉnh {p}", "{p} Provincial Lung Hospital"),
    ("bv-tt", "Bệnh viện Tâm thần tỉnh {p}", "{p} Provincial Psychiatric Hospital"),
)
PROVINCE_SCHOOLS = (
    ("thpt-chuyen", "Trường Trung học phổ thông chuyên tỉnh {p}", "{p} Specialised High School"),
    ("ptdtnt", "Trường Phổ thông Dân tộc nội trú tỉnh {p}", "{p} Provincial Ethnic Minority Boarding School"),
    ("cd-su-pham", "Trường Cao đẳng Sư phạm {p}", "{p} Teacher Training College"),
    ("thpt", "Trường Trung học phổ thông số {n} tỉnh {p}", "{p} High School No. {n}"),
)
PROVINCE_OTHERS = (
    ("tt-hcc", "Trung tâm Phục vụ hành chính công tỉnh {p}", "{p} Public Administrative Service Centre"),
    ("tt-cntt", "Trung tâm Công nghệ thông tin và Truyền thông tỉnh {p}",
     "{p} Information and Communications Technology Centre"),
    ("dai-ptth", "Đài Phát thanh và Truyền hình tỉnh {p}", "{p} Radio and Television Station"),
    ("quy-dtpt", "Quỹ Đầu tư phát triển tỉnh {p}", "{p} Development Investment Fund"),
)
DISTRICT_PC = ("ubnd", "Ủy ban nhân dân {d}", "People's Committee of {dn} {dt}")
DISTRICT_ORGS = (
    ("huyen-uy", "{party} {dn}", "{dn} {dt} Party Committee"),
    ("ubmttq", "Ủy ban Mặt trận Tổ quốc Việt Nam {d}", "Vietnam Fatherland Front Committee of {dn} {dt}"),
    ("huyen-doan", "{youth} {dn}", "{dn} {dt} Youth Union"),
    ("hlhpn", "Hội Liên hiệp Phụ nữ {d}", "{dn} {dt} Women's Union"),
    ("hnd", "Hội Nông dân {d}", "{dn} {dt} Farmers' Union"),
)
# a district organisation's parent: the province organisation of this key (else of its own key)
ORG_PARENTS = {"huyen-uy": "tinh-uy", "huyen-doan": "tinh-doan"}
DISTRICT_HOSPITALS = (("bv-dk", "Bệnh viện Đa khoa {d}", "{dn} {dt} General Hospital"),)
DISTRICT_HEALTH = (("ttyt", "Trung tâm Y tế {d}", "{dn} {dt} Health Centre"),)
DISTRICT_SCHOOLS = (
    ("gdnn-gdtx", "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên {d}",
     "{dn} {dt} Vocational and Continuing Education Centre"),
    ("ptdtnt", "Trường Phổ thông Dân tộc nội trú Trung học cơ sở {d}",
     "{dn} {dt} Ethnic Minority Boarding Lower Secondary School"),
    ("thcs", "Trường Trung học cơ sở số {n} {d}", "{dn} {dt} Lower Secondary School No. {n}"),
)
COMMUNE_PC = ("ubnd", "Ủy ban nhân dân {c}", "{cn} {ct} People's Committee")
COMMUNE_HEALTH = (("tyt", "Trạm Y tế {c}", "{cn} {ct} Health Station"),)
COMMUNE_SCHOOLS = (
    ("th", "Trường Tiểu học {cn}", "{cn} Primary School"),
    ("mn", "Trường Mầm non {cn}", "{cn} Kindergarten"),
    ("thcs", "Trường Trung học cơ sở {cn}", "{cn} Lower Secondary School"),
    ("ptdtbt", "Trường Phổ thông Dân tộc bán trú số {n} {cn}", "{cn} Ethnic Minority Semi-boarding School No. {n}"),
)

# How many agencies of each (tier, kind) a province of AGENCIES_PER_PROVINCE agencies has,
# beside its People's Committee; the same shares scale a registry of any size.
AGENCIES_PER_PROVINCE = 190
AGENCY_SHARES = (
    ("province", "department", 18), ("province", "political_org", 4), ("province", "hospital", 2),
    ("province", "school", 3), ("province", "other", 2),
    ("district", "people_committee", 10), ("district", "political_org", 10), ("district", "hospital", 5),
    ("district", "health_facility", 5), ("district", "school", 6),
    ("commune", "people_committee", 80), ("commune", "health_facility", 25), ("commune", "school", 19),
)
INACTIVE_COMMUNE_SHARE = 0.015  # communes merged away: their agencies are kept, inactive

# Procedure names: a verb (Vietnamese, English) applied to an object. Each object names
# the verbs it takes by letter; "_" is an object that is a whole name already, and "+"
# an object whose procedures differ for organisations and for individuals.
VERBS = {
    "C": ("Cấp {}", "Issuance of {}"),
    "L": ("Cấp lại {}", "Reissuance of {}"),
    "D": ("Điều chỉnh {}", "Amendment of {}"),
    "G": ("Gia hạn {}", "Extension of {}"),
    "T": ("Thu hồi {}", "Revocation of {}"),
    "J": ("Đổi {}", "Exchange of {}"),
    "R": ("Đăng ký {}", "Registration of {}"),
    "A": ("Đăng ký lại {}", "Re-registration of {}"),
    "S": ("Đăng ký thay đổi {}", "Registration of changes to {}"),
    "X": ("Thẩm định {}", "Appraisal of {}"),
    "P": ("Phê duyệt {}", "Approval of {}"),
    "W": ("Chấp thuận {}", "Acceptance of {}"),
    "N": ("Công nhận {}", "Recognition of {}"),
    "K": ("Xác nhận {}", "Confirmation of {}"),
    "H": ("Chứng thực {}", "Certification of {}"),
    "Y": ("Cấp bản sao {}", "Copy of {}"),
    "B": ("Giải quyết {}", "Granting {}"),
    "U": ("Thôi hưởng {}", "Termination of {}"),
    "Q": ("Tiếp nhận {}", "Receipt of {}"),
    "O": ("Thông báo {}", "Notification of {}"),
    "F": ("Công bố {}", "Declaration of {}"),
    "V": ("Cho phép {}", "Permission for {}"),
    "Z": ("Tặng {}", "Award of {}"),
    "I": ("Cung cấp {}", "Provision of {}"),
}
# Who a procedure is for (objects marked "+"), and at which level a People's Committee or
# department settles it: added to some names.
AUDIENCES = (("đối với tổ chức", "for organisations"), ("đối với cá nhân", "for individuals"))
TIER_WORDS = {"province": ("cấp tỉnh", "at provincial level"), "district": ("cấp huyện", "at district level"),
              "commune": ("cấp xã", "at commune level")}

# sector code (demo_data.SECTORS) → (object, English object, verbs)
SECTOR_OBJECTS = {
    "ho-tich": (
        ("khai sinh", "birth", "RA"), ("kết hôn", "marriage", "RA"), ("khai tử", "death", "RA"),
        ("giám hộ", "guardianship", "R"), ("chấm dứt giám hộ", "termination of guardianship", "R"),
        ("trích lục hộ tịch", "civil status extracts", "Y"),
        ("tình trạng hôn nhân", "marital status", "K")),
    "chung-thuc": (
        ("bản sao từ bản chính giấy tờ, văn bản", "copies from originals of papers and documents", "H"),
        ("chữ ký trong giấy tờ, văn bản", "signatures on papers and documents", "H"),
        ("hợp đồng, giao dịch liên quan đến động sản", "contracts and transactions on movable property", "H"),
        ("văn bản thỏa thuận phân chia di sản", "agreements on the division of an estate", "H")),
    "ly-lich-tu-phap": (
        ("Phiếu lý lịch tư pháp cho công dân Việt Nam", "judicial record certificates to Vietnamese citizens", "C"),
        ("Phiếu lý lịch tư pháp cho người nước ngoài", "judicial record certificates to foreigners", "C")),
    "quoc-tich": (
        ("Giấy xác nhận có quốc tịch Việt Nam", "certificates of Vietnamese nationality", "C"),
        ("Nhập quốc tịch Việt Nam", "Naturalisation as a Vietnamese citizen", "_"),
        ("Trở lại quốc tịch Việt Nam", "Restoration of Vietnamese nationality", "_")),
    "cong-chung": (
        ("Thẻ công chứng viên", "notary cards", "CLT"),
        ("hoạt động Văn phòng công chứng", "the operation of notary offices", "RS"),
        ("thành lập Văn phòng công chứng", "the establishment of notary offices", "V")),
    "luat-su": (
        ("hoạt động của tổ chức hành nghề luật sư", "the operation of law-practising organisations", "RS"),),
    "dau-gia-tai-san": (
        ("hoạt động doanh nghiệp đấu giá tài sản", "the operation of property auction enterprises", "RS"),
        ("Thẻ đấu giá viên", "auctioneer cards", "CLT")),
    "tro-giup-phap-ly": (
        ("Thẻ cộng tác viên trợ giúp pháp lý", "legal aid collaborator cards", "CLT"),
        ("Thực hiện trợ giúp pháp lý", "Provision of legal aid", "_")),
    "tu-van-phap-luat": (
        ("Giấy đăng ký hoạt động của Trung tâm tư vấn pháp luật",
         "operation registration certificates of legal advice centres", "CLD"),),
    "thanh-lap-doanh-nghiep": (
        ("thành lập doanh nghiệp tư nhân", "the establishment of private enterprises", "R"),
        ("thành lập công ty trách nhiệm hữu hạn một thành viên",
         "the establishment of single-member limited liability companies", "R"),
        ("thành lập công ty cổ phần", "the establishment of joint-stock companies", "R"),
        ("nội dung đăng ký doanh nghiệp", "enterprise registration details", "S"),
        ("Giấy chứng nhận đăng ký doanh nghiệp", "enterprise registration certificates", "LT"),
        ("tạm ngừng kinh doanh", "business suspension", "O")),
    "ho-kinh-doanh": (
        ("hộ kinh doanh", "household businesses", "RS"),
        ("Giấy chứng nhận đăng ký hộ kinh doanh", "household business registration certificates", "LT"),
        ("tạm ngừng kinh doanh của hộ kinh doanh", "suspension of household businesses", "O")),
    "hop-tac-xa": (
        ("hợp tác xã", "cooperatives", "RS"),
        ("giải thể tự nguyện hợp tác xã", "the voluntary dissolution of cooperatives", "R")),
    "dau-tu": (
        ("chủ trương đầu tư dự án", "the investment policy of projects", "WD"),
        ("Giấy chứng nhận đăng ký đầu tư", "investment registration certificates", "CLD")),
    "tai-chinh-ngan-sach": (
        ("quyết toán dự án hoàn thành", "final accounts of completed projects", "XP"),
        ("mã số đơn vị có quan hệ với ngân sách", "budget-related unit codes", "RS")),
    "quan-ly-gia": (
        ("phương án giá", "price plans", "XP"), ("văn bản kê khai giá", "price declarations", "Q")),
    "quan-ly-cong-san": (
        ("phương án xử lý tài sản công", "plans for handling public assets", "XP"),),
    "cong-chuc-vien-chuc": (
        ("kết quả tuyển dụng viên chức", "results of public employee recruitment", "XP"),
        ("chuyển ngạch công chức", "the transfer of civil servant grades", "XP")),
    "to-chuc-phi-chinh-phu": (
        ("thành lập hội", "the establishment of associations", "V"), ("điều lệ hội", "association charters", "P")),
    "thi-dua-khen-thuong": (
        ("danh hiệu Chiến sĩ thi đua cơ sở", "the Grassroots Emulation Fighter title", "Z"),
        ("danh hiệu Lao động tiên tiến", "the Advanced Worker title", "Z"),
        ("Giấy khen của Chủ tịch Ủy ban nhân dân", "certificates of merit of the People's Committee chair", "Z+")),
    "ton-giao": (
        ("sinh hoạt tôn giáo tập trung", "collective religious activities", "R"),
        ("lễ hội tín ngưỡng", "belief festivals", "O")),
    "kham-chua-benh": (
        ("giấy phép hoạt động đối với phòng khám", "operating licences of clinics", "CLD"),
        ("Chứng chỉ hành nghề khám bệnh, chữa bệnh", "medical practice certificates", "CLDT")),
    "duoc": (
        ("Chứng chỉ hành nghề dược", "pharmacy practice certificates", "CLDT"),
        ("Giấy chứng nhận đủ điều kiện kinh doanh dược", "pharmaceutical business eligibility certificates", "CLD")),
    "an-toan-thuc-pham": (
        ("Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm", "food safety eligibility certificates", "CLT"),
        ("bản công bố sản phẩm", "product declarations", "R")),
    "y-te-du-phong": (
        ("giấy chứng nhận tiêm chủng quốc tế", "international vaccination certificates", "CL"),),
    "giao-duc": (
        ("thành lập trường mầm non", "the establishment of kindergartens", "V"),
        ("hoạt động giáo dục của nhà trường", "educational activities of schools", "V"),
        ("trường đạt chuẩn quốc gia", "schools meeting national standards", "N"),
        ("Chuyển trường đối với học sinh trung học cơ sở", "School transfer of lower secondary pupils", "_")),
    "van-bang-chung-chi": (
        ("bản sao văn bằng, chứng chỉ từ sổ gốc", "copies of diplomas and certificates from the master register", "C"),
        ("nội dung văn bằng, chứng chỉ", "the content of diplomas and certificates", "D"),
        ("văn bằng do cơ sở giáo dục nước ngoài cấp", "diplomas issued by foreign institutions", "N")),
    "thi-tuyen-sinh": (
        ("Phúc khảo bài thi tốt nghiệp trung học phổ thông",
         "Review of upper-secondary graduation examination papers", "_"),
        ("Xét tuyển vào trường phổ thông dân tộc nội trú", "Admission to ethnic minority boarding schools", "_")),
    "dat-dai": (
        ("Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất",
         "certificates of land use rights and ownership of houses and other land-attached assets", "CLJ+"),
        ("biến động đất đai", "land changes", "R"),
        ("thế chấp quyền sử dụng đất", "mortgages of land use rights", "R+"),
        ("chuyển mục đích sử dụng đất", "changes of land use purpose", "V+"),
        ("Hòa giải tranh chấp đất đai", "Mediation of land disputes", "_")),
    "moi-truong": (
        ("báo cáo đánh giá tác động môi trường", "environmental impact assessment reports", "XP"),
        ("kế hoạch bảo vệ môi trường", "environmental protection plans", "R+"),
        ("giấy phép môi trường", "environmental permits", "CLD+")),
    "tai-nguyen-nuoc": (
        ("giấy phép khai thác, sử dụng nước mặt", "surface water exploitation permits", "CDGT+"),
        ("giấy phép khai thác nước dưới đất", "groundwater exploitation permits", "CDGT+"),
        ("giấy phép xả nước thải vào nguồn nước", "wastewater discharge permits", "CDGT")),
    "khoang-san": (
        ("giấy phép thăm dò khoáng sản", "mineral exploration permits", "CDGT"),
        ("giấy phép khai thác khoáng sản", "mineral mining permits", "CDGT+"),
        ("đề án đóng cửa mỏ khoáng sản", "mine closure plans", "XP")),
    "hoat-dong-xay-dung": (
        ("giấy phép xây dựng", "construction permits", "CLDG+"),
        ("giấy phép xây dựng nhà ở riêng lẻ", "construction permits for individual houses", "CLDG"),
        ("chứng chỉ hành nghề hoạt động xây dựng", "construction practice certificates", "CLD"),
        ("chứng chỉ năng lực hoạt động xây dựng", "construction capacity certificates", "CLD"),
        ("báo cáo nghiên cứu khả thi đầu tư xây dựng", "feasibility study reports for construction investment", "X")),
    "quy-hoach-xay-dung": (
        ("quy hoạch chi tiết xây dựng", "detailed construction plans", "XPD"),
        ("giấy phép quy hoạch", "planning permits", "CD"),
        ("thông tin quy hoạch xây dựng", "construction planning information", "I")),
    "nha-o": (
        ("Giấy chứng nhận quyền sở hữu nhà ở", "house ownership certificates", "CL"),
        ("hồ sơ mua, thuê nhà ở xã hội", "applications to buy or rent social housing", "Q")),
    "kinh-doanh-bat-dong-san": (
        ("Chứng chỉ hành nghề môi giới bất động sản", "real estate brokerage certificates", "CL"),),
    "duong-bo": (
        ("giấy phép lái xe", "driving licences", "CLJ"),
        ("giấy phép kinh doanh vận tải bằng xe ô tô", "motor vehicle transport business licences", "CLDT"),
        ("phù hiệu xe ô tô kinh doanh vận tải", "badges of commercial vehicles", "CL"),
        ("giấy phép lưu hành xe quá tải trọng", "permits for overweight vehicles", "C"),
        ("giấy phép thi công công trình trên đường bộ", "permits for works on roads", "CG")),
    "duong-thuy-noi-dia": (
        ("phương tiện thủy nội địa", "inland waterway vessels", "RAS"),
        ("hoạt động bến thủy nội địa", "the operation of inland waterway wharves", "F")),
    "bao-chi": (
        ("giấy phép xuất bản bản tin", "newsletter publication licences", "CD"), ("thẻ nhà báo", "press cards", "CL")),
    "thong-tin-dien-tu": (
        ("giấy phép thiết lập trang thông tin điện tử tổng hợp", "licences for general news websites", "CLDG"),),
    "xuat-ban": (
        ("giấy phép hoạt động in", "printing licences", "CLDT"),
        ("giấy phép xuất bản tài liệu không kinh doanh", "licences to publish non-commercial materials", "C")),
    "buu-chinh": (("giấy phép bưu chính", "postal licences", "CLDT"),),
    "luu-thong-hang-hoa": (
        ("giấy phép bán lẻ rượu", "liquor retail licences", "CLDT"),
        ("giấy phép bán lẻ sản phẩm thuốc lá", "tobacco retail licences", "CLDT"),
        ("Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ xăng dầu", "eligibility certificates of petrol stations",
         "CLDT")),
    "thuong-mai-quoc-te": (
        ("giấy phép thành lập văn phòng đại diện của thương nhân nước ngoài",
         "licences for representative offices of foreign traders", "CLDGT"),),
    "xuc-tien-thuong-mai": (
        ("thực hiện khuyến mại", "sales promotions", "R"),
        ("tổ chức hội chợ, triển lãm thương mại", "trade fairs and exhibitions", "R")),
    "dien": (("giấy phép hoạt động điện lực", "electricity operation licences", "CDT"),),
    "hoa-chat": (
        ("Giấy chứng nhận đủ điều kiện sản xuất, kinh doanh hóa chất", "chemical business eligibility certificates",
         "CLD"),),
    "nong-nghiep": (
        ("Giấy chứng nhận kinh tế trang trại", "farm economy certificates", "CL"),
        ("hỗ trợ phát triển sản xuất nông nghiệp", "support for agricultural production", "B")),
    "bao-ve-thuc-vat": (
        ("Giấy chứng nhận đủ điều kiện buôn bán thuốc bảo vệ thực vật", "eligibility certificates to trade pesticides",
         "CLT"),),
    "thu-y": (
        ("Chứng chỉ hành nghề thú y", "veterinary practice certificates", "CLG"),
        ("Giấy chứng nhận cơ sở an toàn dịch bệnh động vật", "animal disease-free establishment certificates", "CLT")),
    "lam-nghiep": (
        ("phương án quản lý rừng bền vững", "sustainable forest management plans", "XP"),
        ("nguồn gốc lâm sản", "the origin of forest products", "K")),
    "thuy-loi": (
        ("giấy phép hoạt động trong phạm vi bảo vệ công trình thủy lợi",
         "permits for activities within irrigation protection zones", "CDGT"),),
    "viec-lam": (
        ("giấy phép lao động cho người nước ngoài", "work permits for foreigners", "CLG"),
        ("trợ cấp thất nghiệp", "unemployment benefit", "BU"),
        ("hỗ trợ học nghề", "vocational training support", "B")),
    "lao-dong": (
        ("nội quy lao động", "internal labour rules", "R"),
        ("giấy phép hoạt động cho thuê lại lao động", "labour sub-leasing licences", "CLGT")),
    "nguoi-co-cong": (
        ("chế độ trợ cấp ưu đãi đối với thân nhân liệt sĩ", "preferential allowances for families of martyrs", "BD"),
        ("trợ cấp một lần đối với người có công", "one-off allowances for people with meritorious services", "B"),
        ("chế độ điều dưỡng phục hồi sức khỏe", "convalescence allowances", "B")),
    "bao-tro-xa-hoi": (
        ("trợ cấp xã hội hằng tháng", "monthly social allowances", "BDU"),
        ("hỗ trợ chi phí mai táng", "funeral cost support", "B"),
        ("mức độ khuyết tật", "disability levels", "K")),
    "giam-ngheo": (
        ("hộ thoát nghèo, hộ thoát cận nghèo", "households escaping poverty", "N"),
        ("hộ làm nông nghiệp có mức sống trung bình", "farming households of average living standard", "K")),
    "giao-duc-nghe-nghiep": (
        ("giấy chứng nhận đăng ký hoạt động giáo dục nghề nghiệp", "vocational education registration certificates",
         "CD"),),
    "van-hoa": (
        ("giấy phép kinh doanh dịch vụ karaoke", "karaoke business licences", "CD"),
        ("danh hiệu Khu dân cư văn hóa", "the Cultured Residential Area title", "Z"),
        ("tổ chức lễ hội", "festivals", "O")),
    "gia-dinh": (("danh hiệu Gia đình văn hóa", "the Cultured Family title", "Z"),),
    "du-lich": (
        ("giấy phép kinh doanh dịch vụ lữ hành nội địa", "domestic travel business licences", "CLDT"),
        ("thẻ hướng dẫn viên du lịch", "tour guide cards", "CLJ")),
    "the-duc-the-thao": (
        ("Giấy chứng nhận đủ điều kiện kinh doanh hoạt động thể thao", "sports business eligibility certificates",
         "CLD"),),
    "hoat-dong-khcn": (
        ("Giấy chứng nhận đăng ký hoạt động khoa học và công nghệ", "science and technology registration certificates",
         "CLD"),
        ("hợp đồng chuyển giao công nghệ", "technology transfer contracts", "R")),
    "tieu-chuan-do-luong": (("công bố hợp quy", "declarations of conformity", "R"),),
    "an-toan-buc-xa": (("giấy phép tiến hành công việc bức xạ", "radiation work licences", "CLDG"),),
    "khieu-nai-to-cao": (
        ("Giải quyết khiếu nại lần đầu", "Settlement of first-time complaints", "_"),
        ("Giải quyết khiếu nại lần hai", "Settlement of second-time complaints", "_"),
        ("Giải quyết tố cáo", "Settlement of denunciations", "_")),
    "tiep-cong-dan": (
        ("Tiếp công dân", "Citizen reception", "_"),
        ("Xử lý đơn kiến nghị, phản ánh", "Handling petitions and feedback", "_")),
    "phong-chong-tham-nhung": (
        ("Kê khai tài sản, thu nhập", "Declaration of assets and income", "_"),
        ("Xác minh tài sản, thu nhập", "Verification of assets and income", "_")),
    "kiem-soat-tthc": (
        ("Tiếp nhận, xử lý phản ánh, kiến nghị về quy định hành chính",
         "Handling feedback and petitions on administrative regulations", "_"),),
    "tiep-can-thong-tin": (("thông tin theo yêu cầu", "information on request", "I"),),
    "cong-tac-dan-toc": (
        ("người có uy tín trong đồng bào dân tộc thiểu số", "prestigious persons among ethnic minorities", "NK"),),
}
# What the agencies that are not State bodies offer: (sector code, object, English, verbs).
FACILITY_OBJECTS = {
    "hospital": (
        ("kham-chua-benh", "giấy chứng sinh", "medical birth certificates", "CL"),
        ("kham-chua-benh", "giấy chứng nhận nghỉ việc hưởng bảo hiểm xã hội",
         "certificates of sick leave with social insurance", "C"),
        ("kham-chua-benh", "giấy chuyển tuyến khám bệnh, chữa bệnh bảo hiểm y tế", "health insurance referral papers",
         "C"),
        ("kham-chua-benh", "giấy chứng nhận sức khỏe", "health certificates", "C"),
        ("giam-dinh-y-khoa", "Khám giám định mức độ khuyết tật", "Medical assessment of disability", "_")),
    "health_facility": (
        ("kham-chua-benh", "giấy chứng sinh", "medical birth certificates", "CL"),
        ("kham-chua-benh", "giấy chuyển tuyến khám bệnh, chữa bệnh bảo hiểm y tế", "health insurance referral papers",
         "C"),
        ("y-te-du-phong", "Tiêm chủng mở rộng", "Expanded immunisation", "_")),
    "school": (
        ("van-bang-chung-chi", "bản sao văn bằng, chứng chỉ từ sổ gốc",
         "copies of diplomas and certificates from the master register", "C"),
        ("thi-tuyen-sinh", "Tuyển sinh vào lớp đầu cấp", "Admission to the first grade", "_"),
        ("giao-duc", "Chuyển trường đối với học sinh", "School transfer of pupils", "_"),
        ("giao-duc", "Xin học lại tại trường khác", "Re-enrolment at another school", "_")),
    "political_org": (
        ("thi-dua-khen-thuong", "Bằng khen", "certificates of merit", "Z+"),
        ("tiep-cong-dan", "Tiếp nhận đơn thư của công dân", "Receipt of citizens' letters", "_")),
    "other": (
        ("tiep-can-thong-tin", "thông tin theo yêu cầu", "information on request", "I"),
        ("thong-tin-dien-tu", "Đăng tải thông tin trên cổng thông tin điện tử", "Publication on the e-portal", "_"),
        ("kiem-soat-tthc", "Tiếp nhận hồ sơ thủ tục hành chính", "Receipt of administrative procedure files", "_")),
}
PROVINCE_PC_SECTORS = ("kiem-soat-tthc", "tiep-cong-dan", "khieu-nai-to-cao", "thi-dua-khen-thuong", "dau-tu",
                       "dat-dai")
DISTRICT_PC_SECTORS = ("nguoi-co-cong", "bao-tro-xa-hoi", "tai-nguyen-nuoc", "moi-truong", "nong-nghiep",
                       "giao-duc-nghe-nghiep")
COMMUNE_PC_SECTORS = ("gia-dinh", "bao-tro-xa-hoi", "nguoi-co-cong", "thi-dua-khen-thuong", "nong-nghiep",
                      "lam-nghiep")
REAL_NAME_SHARE = 0.7  # of an agency's real procedures (demonstration set), the share it offers

# Relative number of services an agency of each (tier, kind) offers; a department's
# follows the number of its real procedures.
SERVICE_WEIGHTS = {
    ("province", "people_committee"): 15, ("province", "department"): 40, ("district", "people_committee"): 30,
    ("commune", "people_committee"): 7, "political_org": 0.5, "hospital": 3, "health_facility": 0.5,
    "school": 1, "other": 2,
}
INACTIVE_SERVICE_SHARE = 0.02
TIER_DIGIT = {"province": 1, "district": 2, "commune": 3}  # first digit of a procedure code, by level

NOTES = (
    "Đã kết nối với Cổng Dịch vụ công quốc gia.",
    "Đang nâng cấp lên mức độ cao hơn.",
    "Biểu mẫu đã cập nhật theo quy định mới.",
    "Tiếp nhận hồ sơ qua bộ phận một cửa.",
)
NOTE_SHARE = 0.03

# How fast an agency's services climb the levels: each year a service below level 3
# climbs one level with this chance (× the agency's pace); level 3 came with the
# national push of the mid-2010s.
LEVEL_AT_START = 0.3  # chance of level 1 before the first period
LEVEL_CLIMB = {0: 0.3, 1: 0.22}
HIGH_LEVEL_PUSH_YEAR = 2015
HIGH_LEVEL_CLIMB = (0.02, 0.10)  # from level 2 up: before the push year, from it on
TIER_PACE = {"province": 1.15, "district": 1.0, "commune": 0.85}

# Submission histories, as the workflow makes them: each step is one write or one
# transition and bumps the version; "overstate" writes entries the auditor will not
# accept (a level its evidence does not show, a figure too high), "correct" the true ones.
HISTORIES = {
    "draft": ("partial",),
    "submitted": ("correct", "submit"),
    "returned": ("overstate", "submit", "return"),
    "verified": ("correct", "submit", "verify"),
    "verified_after_return": ("overstate", "submit", "return", "correct", "submit", "verify"),
    "corrected": ("overstate", "submit", "verify", "reopen", "correct", "submit", "verify"),
    "reopened": ("overstate", "submit", "verify", "reopen", "correct"),
}
# The histories of a closed period, as shares of the agencies that reported.
CLOSED_SHARES = (("verified", 0.86), ("verified_after_return", 0.07), ("corrected", 0.03),
                 ("submitted", 0.025), ("returned", 0.015))
# The open period: agencies part-way through, as shares of the active agencies.
OPEN_SHARES = (("none", 0.12), ("draft", 0.16), ("reopened", 0.03), ("submitted", 0.20), ("returned", 0.07),
               ("verified", 0.36), ("verified_after_return", 0.04), ("corrected", 0.02))
REPORTING_AT_START, REPORTING_GROWTH, REPORTING_MAX = 0.8, 0.04, 0.99
# The days a step takes (from, to), after the one before.
STEP_DAYS = {"partial": (1, 15), "overstate": (1, 15), "correct": (1, 10), "submit": (0, 10),
             "verify": (1, 30), "return": (1, 20), "reopen": (3, 60)}
WRITES = ("partial", "overstate", "correct")
PARTIAL_FIELDS = ("has_lan", "wan_connected", "staff_total")  # what a draft half-way through has


